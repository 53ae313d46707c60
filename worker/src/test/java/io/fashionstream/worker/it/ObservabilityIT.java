package io.fashionstream.worker.it;

import io.fashionstream.kafkakit.PrometheusServer;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.Json;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.worker.testing.DesignMetrics;
import io.fashionstream.worker.testing.PrometheusText;
import io.fashionstream.worker.testing.PrometheusText.Family;
import io.fashionstream.worker.testing.TestInputs;
import io.fashionstream.worker.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A packaged worker with its monitoring port, on the in-process broker, fed by the produce
 * command (labelled images and some undecodable files): health answers, /metrics carries every
 * metric of DESIGN.md plus the Kafka, JVM and process binders, and a real Prometheus server
 * scraping it returns data for every expression of the dashboard and the alert rules.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path work;
    private static EmbeddedKafka broker;
    private static KafkaTestClient.Topics topics;
    private static Process worker;
    private static int metricsPort;
    private static Process producer;

    @BeforeAll
    static void startBrokerWorkerAndTraffic() throws Exception {
        broker = EmbeddedKafka.start();
        topics = new KafkaTestClient(broker.bootstrapServers()).createTopics();
        metricsPort = PrometheusServer.freePort();
        // A primary and a shadow on the release topic the worker follows (the default one), so that
        // the rollout panels have data: the release commands as an operator runs them.
        for (String[] release : List.of(new String[] {"simple", "primary"}, new String[] {"complex1", "shadow"})) {
            int code = io.fashionstream.worker.WorkerCli.run(Map.of(), "release", "publish", "--model", release[0], "--as",
                    release[1], "--models-dir", TestInputs.MODELS_DIR.toString(), "--bootstrap-servers",
                    broker.bootstrapServers());
            assertEquals(0, code, "release publish " + release[0] + " as " + release[1]);
        }
        worker = WorkerProcess.start("observability-worker", List.of("run", "--bootstrap-servers",
                broker.bootstrapServers(), "--input-topic", topics.input(), "--results-topic", topics.results(),
                "--dead-letter-topic", topics.deadLetters(), "--review-topic", topics.review(), "--group-id", topics.group(), "--workers", "2",
                "--model", "simple", "--models-dir", TestInputs.MODELS_DIR.toString(), "--max-latency-ms", "250",
                "--metrics-host", "127.0.0.1", "--metrics-port", Integer.toString(metricsPort)));
        Path images = catalogWithSomeBadFiles(work.resolve("catalog"));
        // Steady traffic for the whole class, so rates and quantiles have something to work on. The packaged
        // produce command in a process of its own, stopped with the class like the worker (SIGTERM: a clean stop).
        producer = WorkerProcess.start("observability-producer", List.of("produce",
                "--bootstrap-servers", broker.bootstrapServers(), "--topic", topics.input(), "--dir", images.toString(),
                "--loop", "--rate", "80", "--count", "12000"));
    }

    @AfterAll
    static void stopAll() throws Exception {
        // Nothing this class started outlives it: the producer and the worker end before the broker does.
        for (Process p : new Process[] {producer, worker}) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void liveAtOnceAndReadyOnceBothWorkerThreadsHaveJoined() throws Exception {
        HttpResponse<String> live = await("/health/live", r -> r.statusCode() == 200);
        assertEquals("UP", Json.MAPPER.readTree(live.body()).get("status").asText());
        HttpResponse<String> ready = await("/health/ready", r -> r.statusCode() == 200);
        JsonNode body = Json.MAPPER.readTree(ready.body());
        assertEquals("UP", body.get("status").asText());
        assertTrue(body.get("model").asText().startsWith("simple "), body.toString());
        assertEquals("2/2 joined the consumer group", body.get("workers").asText());
    }

    @Test
    @Order(2)
    void theWorkerLogsThroughOneLoggerWithoutStartupWarnings() throws Exception {
        String log = WorkerProcess.log("observability-worker");
        assertTrue(log.contains("consumer group protocol: consumer"), "the protocol in use is logged:\n" + log);
        assertTrue(log.contains("joined") || log.contains("partition(s) assigned"), log);
        for (String noise : List.of("SLF4J", "StaticLoggerBinder", "has been already registered", "log4j", "WARN Sender")) {
            assertTrue(!log.contains(noise), "'" + noise + "' in the worker's log:\n" + log);
        }
    }

    @Test
    @Order(3)
    void metricsAreValidExpositionTextWithEveryDesignMetricAfterTraffic() throws Exception {
        HttpResponse<String> response = await("/metrics", r -> r.statusCode() == 200
                && count(PrometheusText.parse(r.body()), "classified") >= 200
                && count(PrometheusText.parse(r.body()), "dead_lettered") >= 1 && r.body().contains("records_lag{"));
        Map<String, Family> families = PrometheusText.parse(response.body());
        DesignMetrics.FAMILIES.forEach((name, type) -> {
            assertTrue(families.containsKey(name), name + " missing");
            assertEquals(type, families.get(name).type(), name);
        });
        assertTrue(families.get("fashion_records_total").samples().stream()
                .filter(s -> "dead_lettered".equals(s.labels().get("outcome")) && s.value() > 0)
                .allMatch(s -> Set.of("unknown_format", "undecodable").contains(s.labels().get("reason"))),
                "the broken files were dead-lettered and counted with their reason");
        assertTrue(families.get("fashion_labeled_total").samples().stream().mapToDouble(s -> s.value()).sum() > 0);
        // Micrometer's Kafka client binder: lag per partition of the input topic, producer metrics.
        assertTrue(families.get("kafka_consumer_fetch_manager_records_lag").samples().stream()
                .anyMatch(s -> topics.input().equals(s.labels().get("topic")) && s.labels().containsKey("partition")));
        assertTrue(families.keySet().stream().anyMatch(n -> n.startsWith("kafka_producer_")), "producer metrics");
        assertTrue(families.containsKey("jvm_memory_used_bytes") && families.containsKey("process_cpu_usage"));
        assertEquals("histogram", families.get("fashion_decode_seconds").type(), "decode time per batch, beside inference");
        if (Tools.onPath("promtool")) {
            // Prometheus's own parser as a second opinion (its naming lints are advice, not parse errors).
            Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            promtool.getOutputStream().write(response.body().getBytes());
            promtool.getOutputStream().close();
            String out = new String(promtool.getInputStream().readAllBytes());
            promtool.waitFor(30, TimeUnit.SECONDS);
            assertTrue(!out.contains("parsing error") && !out.contains("error while linting"), out);
        }
    }

    @Test
    @Order(4)
    void prometheusReturnsDataForEveryDashboardAndAlertExpression() throws Exception {
        Assumptions.assumeTrue(Tools.onPath("prometheus"),
                "no prometheus binary: the dashboard and rule expressions were not run (apt-get install prometheus)");
        List<MonitoringQueries.Query> queries = new ArrayList<>(MonitoringQueries.dashboard());
        queries.addAll(MonitoringQueries.rules());
        assertTrue(queries.size() > 20, "found the expressions: " + queries.size());
        try (PrometheusServer prometheus = PrometheusServer.start(Path.of("..", "deploy", "prometheus"), Files.createDirectories(work.resolve("prometheus")),
                "127.0.0.1:" + metricsPort)) {
            List<String> empty = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            for (MonitoringQueries.Query q : queries) {
                JsonNode result = prometheus.query(q.expr());
                while (result.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(1000);
                    result = prometheus.query(q.expr());
                }
                if (result.isEmpty()) {
                    empty.add(q.source() + ": " + q.expr());
                }
            }
            assertTrue(empty.isEmpty(), "no data for:\n" + String.join("\n", empty));
            for (MonitoringQueries.Query alert : MonitoringQueries.alerts()) {
                prometheus.query(alert.expr()); // evaluates (throws if Prometheus refuses it); empty while all is well
            }
            JsonNode up = prometheus.query("up{job=\"fashion-worker\"}");
            assertEquals("1", up.get(0).get("value").get(1).asText(), "the worker is scraped");
        }
        assertTrue(producer.isAlive(), "the producer was still looping while Prometheus scraped");
    }

    private static Path catalogWithSomeBadFiles(Path dir) throws IOException {
        for (int i = 0; i < 200; i++) {
            Path file = dir.resolve(Integer.toString(TestInputs.label(i))).resolve("item-" + i + ".png");
            Files.createDirectories(file.getParent());
            Files.write(file, TestInputs.png(i));
        }
        for (int i = 0; i < 4; i++) {
            Files.write(dir.resolve("broken-" + i + ".png"), TestInputs.randomBytes(500, i));
        }
        return dir;
    }

    private static double count(Map<String, Family> families, String outcome) {
        Family records = families.get("fashion_records_total");
        return records == null ? 0 : records.samples().stream()
                .filter(s -> outcome.equals(s.labels().get("outcome"))).mapToDouble(s -> s.value()).sum();
    }

    private static HttpResponse<String> await(String path, java.util.function.Predicate<HttpResponse<String>> done)
            throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline && worker.isAlive()) {
            try {
                last = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException notListeningYet) {
                // the JVM is still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError(path + " never answered as expected; last: "
                + (last == null ? "no answer" : last.statusCode() + " " + last.body().lines().limit(5).toList())
                + "\n" + WorkerProcess.log("observability-worker"));
    }
}
