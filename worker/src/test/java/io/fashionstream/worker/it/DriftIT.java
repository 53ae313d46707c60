package io.fashionstream.worker.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.it.KafkaTestClient.Topics;
import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.testing.TestInputs;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import static io.fashionstream.worker.it.KafkaTestClient.assertEachExactlyOnce;
import static io.fashionstream.worker.it.KafkaTestClient.input;
import static io.fashionstream.worker.it.KafkaTestClient.json;
import static io.fashionstream.worker.it.KafkaTestClient.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drift without labels, on a real broker: a stream like the model's held-out images leaves the
 * drift metrics quiet and sends about the card's share to the review topic; a skewed stream (one
 * class only; inverted images) moves them and fills the review topic, exactly once per input.
 */
class DriftIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int N = 400;
    private static EmbeddedKafka broker;
    private static ServingModel model;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafka.start(WorkerContract.QUICK_SESSIONS, Map.of());
        model = TestInputs.servingSimple(EngineKind.ONNXRUNTIME);
    }

    @AfterAll
    static void stop() throws Exception {
        model.close();
        broker.close();
    }

    @Test
    void normalTrafficStaysQuiet() throws Exception {
        Stream normal = run(i -> TestInputs.raw(i));
        assertTrue(normal.psi < 0.1, "PSI " + normal.psi);
        assertTrue(normal.ksP > 0.001, "KS p-value " + normal.ksP);
        double cardShare = model.card().orElseThrow().reference().raw().reviewShare();
        assertTrue(normal.reviewed <= 2.5 * cardShare * N, normal.reviewed + " of " + N + " sent for review, card "
                + cardShare);
    }

    @Test
    void oneClassOnlyIsPredictionDrift() throws Exception {
        List<Integer> trousers = new ArrayList<>();
        for (int i = 0; trousers.size() < N; i++) {
            if (TestInputs.label(i) == 1) {
                trousers.add(i);
            }
        }
        Stream skewed = run(i -> TestInputs.raw(trousers.get(i)));
        assertTrue(skewed.psi > 1, "PSI " + skewed.psi);
    }

    @Test
    void invertedImagesLoseConfidenceAndFillTheReviewTopic() throws Exception {
        Stream inverted = run(i -> {
            byte[] raw = TestInputs.raw(i).clone();
            for (int p = 0; p < raw.length; p++) {
                raw[p] = (byte) (255 - (raw[p] & 0xff));
            }
            return raw;
        });
        assertTrue(inverted.ksP < 1e-6, "KS p-value " + inverted.ksP);
        double cardShare = model.card().orElseThrow().reference().raw().reviewShare();
        assertTrue(inverted.reviewed >= 4 * cardShare * N, inverted.reviewed + " of " + N + " sent for review, card "
                + cardShare);
    }

    /** What one stream of {@link #N} images did to the metrics and the review topic. */
    private record Stream(double psi, double ksP, int reviewed) {
    }

    private Stream run(IntFunction<byte[]> image) throws Exception {
        KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());
        Topics t = kafka.createTopics();
        WorkerConfig config = WorkerConfig.builder().bootstrapServers(broker.bootstrapServers())
                .inputTopic(t.input()).resultsTopic(t.results()).deadLetterTopic(t.deadLetters())
                .reviewTopic(t.review()).groupId(t.group()).transactionalIdPrefix("drift-" + t.group())
                .model("simple").modelsDir(TestInputs.MODELS_DIR).maxBatch(32).build();
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            in.add(input(t.input(), "item-" + i, image.apply(i)));
        }
        MeterRegistry registry = new SimpleMeterRegistry();
        try (WorkerPool pool = WorkerPool.start(config, model, registry)) {
            kafka.send(in);
            List<ConsumerRecord<byte[], byte[]>> results = kafka.readCommitted(List.of(t.results()),
                    r -> r.size() >= N, TIMEOUT);
            assertEachExactlyOnce(results, 0, N);
            Set<String> unsure = results.stream().filter(r -> json(r).get("review").asBoolean())
                    .map(KafkaTestClient::key).collect(Collectors.toSet());
            List<ConsumerRecord<byte[], byte[]>> reviews = kafka.readCommitted(List.of(t.review()),
                    r -> r.size() >= unsure.size(), TIMEOUT);
            assertEquals(unsure, reviews.stream().map(KafkaTestClient::key).collect(Collectors.toSet()),
                    "a review record for each result that says so");
            assertEquals(unsure.size(), reviews.size(), "each exactly once");
            for (ConsumerRecord<byte[], byte[]> r : reviews) {
                JsonNode v = json(r);
                assertEquals(t.input(), v.get("source").get("topic").asText());
            }
            double psi = gauge(registry, "fashion.drift.class.psi");
            double p = gauge(registry, "fashion.drift.confidence.ks.pvalue");
            assertEquals(N, gauge(registry, "fashion.drift.window.answers"), "every committed answer in the window");
            assertEquals(0, gauge(registry, "fashion.drift.window.answers", "photo"), "no photo inputs");
            assertEquals((double) unsure.size() / N, gauge(registry, "fashion.low.confidence.share"), 1e-9);
            assertEquals(unsure.size(), registry.get("fashion.reviews").counter().count());
            return new Stream(psi, p, unsure.size());
        }
    }

    private static double gauge(MeterRegistry registry, String name) {
        return gauge(registry, name, "raw");
    }

    private static double gauge(MeterRegistry registry, String name, String input) {
        return registry.get(name).tag("input", input).gauge().value();
    }
}
