package io.fashionstream.worker.http;

import io.fashionstream.worker.release.LiveRelease;
import io.fashionstream.worker.testing.TestReleases;
import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.Json;
import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.worker.metrics.ProcessMeters;
import io.fashionstream.worker.metrics.WorkerMetrics;
import io.fashionstream.worker.batch.AnswerStage;
import io.fashionstream.worker.batch.ReviewRoute;
import io.fashionstream.worker.batch.BatchAnswers;
import io.fashionstream.worker.batch.DecodeStage;
import io.fashionstream.worker.batch.ForwardPassStage;
import io.fashionstream.worker.batch.StagePipeline;
import io.fashionstream.worker.records.CopiedHeaders;
import io.fashionstream.worker.records.DeadLetters;
import io.fashionstream.worker.testing.DesignMetrics;
import io.fashionstream.worker.testing.PrometheusText;
import io.fashionstream.worker.testing.PrometheusText.Family;
import io.fashionstream.worker.testing.TestInputs;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MonitoringServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private PrometheusMeterRegistry registry;
    private WorkerHealth health;
    private MonitoringServer server;

    @BeforeEach
    void start() throws Exception {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        health = new WorkerHealth();
        server = MonitoringServer.start(new InetSocketAddress("127.0.0.1", 0), registry, health);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A few clients holding half-sent requests open once kept the liveness probe from any answer (2 threads). */
    @Test
    void slowClientsCannotStarveTheLivenessProbeAndAreCutOff() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush(); // ... and never the blank line that ends the headers
                slow.add(s);
            }
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + MonitoringServer.LIVE_PATH)).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, live.statusCode(), "answered while 20 requests are still arriving");

            // The server cuts a request that has not arrived whole within its limit (a generous bound, not a timing).
            Socket first = slow.get(0);
            first.setSoTimeout((MonitoringServer.MAX_REQUEST_SECONDS + 15) * 1000);
            assertEquals(-1, first.getInputStream().read(), "the server closed the slow connection");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void metricsParseAsExpositionTextAndCarryDesignsMetricsAfterTraffic() throws Exception {
        try (Dl4jEngine network = new Dl4jEngine(TestInputs.simpleModel().network())) {
            LiveRelease simple = TestReleases.simple(network, new ReviewRoute("review", 0.6));
            WorkerMetrics metrics = TestReleases.metrics(simple);
            metrics.bindTo(registry);
            checkMetricsAfterTraffic(metrics, simple, network);
        }
    }

    private void checkMetricsAfterTraffic(WorkerMetrics metrics, LiveRelease simple, Dl4jEngine network) throws Exception {
        try (ProcessMeters process = new ProcessMeters()) {
            process.bindTo(registry);
            classifyLabelledAndBadInputs(metrics, simple, network);

            HttpResponse<String> response = get(MonitoringServer.METRICS_PATH);
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            Map<String, Family> families = PrometheusText.parse(response.body());

            DesignMetrics.FAMILIES.forEach((name, type) -> {
                assertTrue(families.containsKey(name), name + " missing from /metrics");
                assertEquals(type, families.get(name).type(), name);
            });
            assertTrue(families.containsKey("fashion_model_card_accuracy"));
            assertTrue(families.containsKey("jvm_memory_used_bytes"), "JVM binder");
            assertTrue(families.containsKey("process_cpu_usage"), "process binder");
            assertEquals(3.0, value(families, "fashion_records_total", Map.of("outcome", "classified")));
            assertEquals(1.0, value(families, "fashion_records_total",
                    Map.of("outcome", "dead_lettered", "reason", "undecodable")));
            assertEquals(1.0, value(families, "fashion_model_info", Map.of("model", "simple", "version", "v1")));
            assertEquals(4.0, value(families, "fashion_end_to_end_seconds_count", Map.of()), "results and dead letters");
            assertEquals(2.0, value(families, "fashion_labeled_total", Map.of()), "the two labelled inputs");
            // Buckets fit a 10 ms objective: there is an le="0.01" boundary.
            assertTrue(families.get("fashion_end_to_end_seconds").samples().stream()
                    .anyMatch(s -> "0.01".equals(s.labels().get("le"))));
            // No label carries a per-record id: every label value comes from a small fixed set.
            families.values().stream().filter(f -> f.name().startsWith("fashion_"))
                    .flatMap(f -> f.samples().stream())
                    .forEach(s -> assertTrue(!s.labels().containsValue("item-a") && !s.labels().containsValue("item-b"),
                            s.toString()));
        }
    }

    @Test
    void metricsAnswerOpenMetricsWhenAskedFor() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(MonitoringServer.METRICS_PATH))
                .header("Accept", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(response.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
    }

    @Test
    void liveFromTheStartReadyOnlyOnceTheModelIsLoadedAndThePoolRuns() throws Exception {
        assertEquals(200, get(MonitoringServer.LIVE_PATH).statusCode());
        HttpResponse<String> loading = get(MonitoringServer.READY_PATH);
        assertEquals(503, loading.statusCode());
        JsonNode body = Json.MAPPER.readTree(loading.body());
        assertEquals("DOWN", body.get("status").asText());
        assertEquals("loading", body.get("model").asText());

        health.modelLoaded("simple", "v1");
        HttpResponse<String> noPool = get(MonitoringServer.READY_PATH);
        assertEquals(503, noPool.statusCode(), "model loaded but no consumer has joined");
        assertEquals("simple v1", Json.MAPPER.readTree(noPool.body()).get("model").asText());
        assertEquals("not started", Json.MAPPER.readTree(noPool.body()).get("workers").asText());
        assertEquals(200, get(MonitoringServer.LIVE_PATH).statusCode());
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        assertEquals(404, get("/nope").statusCode());
        assertEquals(404, get("/metricsx").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(MonitoringServer.METRICS_PATH))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    private static void classifyLabelledAndBadInputs(WorkerMetrics metrics, LiveRelease simple, Dl4jEngine network)
            throws Exception {
        AnswerStage answers = new AnswerStage("results", 3,
                new DeadLetters("dlq", DeadLetters.KAFKA_DEFAULT_MAX_RECORD_BYTES), CopiedHeaders.DEFAULT_RESULT_HEADERS,
                System::currentTimeMillis);
        StagePipeline batches = new StagePipeline(new DecodeStage(new ImagePreprocessor(ImageLimits.DEFAULTS), java.time.Duration.ofSeconds(2)),
                ForwardPassStage.serving(simple, network), answers, 8, 0, "test");
        long now = System.currentTimeMillis();
        List<ConsumerRecord<byte[], byte[]>> in = List.of(
                record(0, now, "item-a", TestInputs.png(0), "9"),
                record(1, now, "item-b", TestInputs.raw(1), "2"),
                record(2, now, null, TestInputs.png(2), null),
                record(3, now, null, TestInputs.truncatedPng(), null));
        BatchAnswers batch = batches.runNow(in);
        metrics.recordBatch(batch);
        metrics.recordAnswered(batch.answers(), now + 5);
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, long timestamp, String key, byte[] value,
                                                         String label) {
        RecordHeaders headers = new RecordHeaders();
        if (label != null) {
            headers.add("label", label.getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>("in", 0, offset, timestamp, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, headers, Optional.empty());
    }

    private static double value(Map<String, Family> families, String sample, Map<String, String> labels) {
        return families.values().stream().flatMap(f -> f.samples().stream())
                .filter(s -> s.name().equals(sample) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
