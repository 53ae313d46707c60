package io.fashionstream.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.kafkakit.PrometheusServer;
import io.fashionstream.tools.demo.DemoTopics;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The drift drill: one worker (its own JVM, the production command line) on an in-process broker,
 * scraped by a real Prometheus running the project's alert rules. Traffic like the held-out images
 * runs first, then each skewed stream in turn (with normal traffic between them while the previous
 * alerts resolve); the drill records when each alert fires, from the start of each phase, and what
 * the drift and input-health signals read at its end.
 */
final class DriftDrill {
    /** Alerts the drill reports; any other alert of the rules that fires is reported too. */
    static final List<String> DRIFT_ALERTS = List.of("FashionPredictionDrift", "FashionLowConfidenceRising");

    /** One phase of traffic and what happened during it. */
    record Phase(String traffic, String description, double seconds, long sent, Map<String, Double> firedAfterSeconds,
                 Map<String, Double> signals) {
    }

    /** The drill's outcome: the phases in order, and how it ran. */
    record Report(String machine, String model, double ratePerSecond, List<Phase> phases) {
    }

    private final LabelledImages test;
    private final String model;
    private final Path modelsDir;
    private final Path prometheusDeploy;
    private final double rate;
    private final Duration phase;
    private final Duration normal;
    private final Duration gap;
    private final Path work;
    private final PrintWriter err;

    DriftDrill(LabelledImages test, String model, Path modelsDir, Path prometheusDeploy, double rate, Duration phase,
               Duration normal, Duration gap, Path work, PrintWriter err) {
        this.test = test;
        this.model = model;
        this.modelsDir = modelsDir;
        this.prometheusDeploy = prometheusDeploy;
        this.rate = rate;
        this.phase = phase;
        this.normal = normal;
        this.gap = gap;
        this.work = work;
        this.err = err;
    }

    List<Phase> run() throws Exception {
        Files.createDirectories(work);
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            String bootstrap = broker.bootstrapServers();
            Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            String run = "drift-drill";
            DemoTopics.create(client, run + ".images", run + ".labels", run + ".dlq", run + ".review");
            WorkerProcess worker = new WorkerProcess("drill", List.of("--bootstrap-servers", bootstrap,
                    "--input-topic", run + ".images", "--results-topic", run + ".labels", "--dead-letter-topic",
                    run + ".dlq", "--review-topic", run + ".review", "--group-id", run, "--transactional-id-prefix", run,
                    "--model", model, "--models-dir", modelsDir.toString()), work.resolve("worker.log"));
            worker.start();
            try (KafkaProducer<byte[], byte[]> producer = BenchProducer.open(bootstrap)) {
                worker.awaitReady();
                try (PrometheusServer prometheus = PrometheusServer.start(prometheusDeploy,
                        Files.createDirectories(work.resolve("prometheus")), worker.metricsTarget())) {
                    return phases(new Sender(producer, run + ".images"), prometheus);
                }
            } finally {
                worker.stop();
            }
        }
    }

    private List<Phase> phases(Sender sender, PrometheusServer prometheus) throws Exception {
        List<Phase> phases = new ArrayList<>();
        phases.add(watch(DrillTraffic.NORMAL, normal, sender, prometheus));
        for (DrillTraffic skew : List.of(DrillTraffic.ONE_CLASS, DrillTraffic.INVERTED, DrillTraffic.OTHER_STUDIO)) {
            phases.add(watch(skew, phase, sender, prometheus));
            if (skew != DrillTraffic.OTHER_STUDIO) {
                err.printf("normal traffic for %d s while the alerts resolve%n", gap.toSeconds());
                sender.send(DrillTraffic.NORMAL, gap, () -> { });
            }
        }
        return phases;
    }

    /** Sends {@code traffic} for {@code length}, noting when each alert is first seen firing. */
    private Phase watch(DrillTraffic traffic, Duration length, Sender sender, PrometheusServer prometheus) throws Exception {
        err.printf("%s for %d s%n", traffic.description, length.toSeconds());
        long start = System.nanoTime();
        Map<String, Double> fired = new LinkedHashMap<>();
        long sent = sender.send(traffic, length, () -> {
            try {
                for (JsonNode alert : prometheus.query("ALERTS{alertstate=\"firing\"}")) {
                    JsonNode labels = alert.get("metric");
                    String name = labels.path("alertname").asText()
                            + (labels.has("input") ? " (" + labels.get("input").asText() + ")" : "");
                    if (!fired.containsKey(name)) {
                        double after = (System.nanoTime() - start) / 1e9;
                        fired.put(name, Math.round(after * 10) / 10.0);
                        err.printf("  %s firing after %.1f s%n", name, after);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("Prometheus stopped answering: " + e.getMessage(), e);
            }
        });
        return new Phase(traffic.name().toLowerCase(Locale.ROOT), traffic.description, length.toSeconds(), sent, fired,
                signals(prometheus));
    }

    /** What the drift and input-health signals read now. */
    private static Map<String, Double> signals(PrometheusServer prometheus) throws Exception {
        Map<String, Double> signals = new LinkedHashMap<>();
        for (String input : List.of("raw", "photo")) {
            String sel = "{input=\"" + input + "\"}";
            signals.put("psi " + input, value(prometheus, "max(fashion_drift_class_psi" + sel + ")"));
            signals.put("ks p-value " + input, value(prometheus, "min(fashion_drift_confidence_ks_pvalue" + sel + ")"));
            signals.put("low-confidence share " + input, value(prometheus, "max(fashion_low_confidence_share" + sel + ")"));
        }
        signals.put("photo background level, median of the last minute", value(prometheus,
                "histogram_quantile(0.5, sum by (le) (rate(fashion_photo_background_level_bucket[1m])))"));
        signals.put("article's percent of the photo, median of the last minute", value(prometheus,
                "histogram_quantile(0.5, sum by (le) (rate(fashion_photo_article_percent_bucket[1m])))"));
        return signals;
    }

    private static double value(PrometheusServer prometheus, String promql) throws Exception {
        JsonNode result = prometheus.query(promql);
        if (result.isEmpty()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(result.get(0).get("value").get(1).asText());
        return Double.isNaN(v) ? v : Math.round(v * 10_000) / 10_000.0;
    }

    /** Sends records at the drill's rate, calling a probe about once a second. */
    private final class Sender {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final Random random = new Random(42);
        private long n;

        Sender(KafkaProducer<byte[], byte[]> producer, String topic) {
            this.producer = producer;
            this.topic = topic;
        }

        long send(DrillTraffic traffic, Duration length, Runnable probe) throws InterruptedException {
            long start = System.nanoTime();
            long end = start + length.toNanos();
            long nextProbe = start;
            long sent = 0;
            while (System.nanoTime() < end) {
                long due = start + (long) (sent * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                byte[] key = (traffic.name() + "-" + n).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, key, traffic.value(test, n, random)));
                n++;
                sent++;
                if (System.nanoTime() >= nextProbe) {
                    probe.run();
                    nextProbe = System.nanoTime() + 1_000_000_000L;
                }
            }
            producer.flush();
            return sent;
        }
    }
}
