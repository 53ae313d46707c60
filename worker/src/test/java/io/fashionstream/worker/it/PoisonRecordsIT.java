package io.fashionstream.worker.it;

import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.worker.it.KafkaTestClient.Topics;
import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.records.DeadLetters;
import io.fashionstream.worker.testing.TestInputs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.fashionstream.worker.it.KafkaTestClient.assertEachExactlyOnce;
import static io.fashionstream.worker.it.KafkaTestClient.header;
import static io.fashionstream.worker.it.KafkaTestClient.input;
import static io.fashionstream.worker.it.KafkaTestClient.key;
import static io.fashionstream.worker.it.KafkaTestClient.labelledRaw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inputs that used to stop a partition for good, on a real broker: an input larger than the
 * dead-letter topic takes, and an input whose result the results topic refuses. Each is
 * dead-lettered as DESIGN.md says and every input behind it in its partition is answered.
 */
class PoisonRecordsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static EmbeddedKafka broker;
    private static ServingModel model;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafka.start();
        model = TestInputs.servingSimple(EngineKind.ONNXRUNTIME);
    }

    @AfterAll
    static void stop() throws Exception {
        model.close();
        broker.close();
    }

    private static KafkaTestClient kafka() {
        return new KafkaTestClient(broker.bootstrapServers());
    }

    private static WorkerConfig config(Topics t, ImageLimits limits) {
        return WorkerConfig.builder()
                .bootstrapServers(broker.bootstrapServers())
                .inputTopic(t.input()).resultsTopic(t.results()).deadLetterTopic(t.deadLetters()).reviewTopic(t.review()).groupId(t.group())
                .transactionalIdPrefix("poison-" + t.group())
                .model("simple").modelsDir(TestInputs.MODELS_DIR)
                .workers(1).maxBatch(16).maxWait(Duration.ofMillis(20))
                .imageLimits(limits)
                .build();
    }

    /** The same inputs, all sent to partition 0 of the input topic, so that order within a partition is tested. */
    private static List<ProducerRecord<byte[], byte[]>> onPartitionZero(List<ProducerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new ProducerRecord<>(r.topic(), 0, r.key(), r.value(), r.headers())).toList();
    }

    @Test
    void anInputLargerThanTheDeadLetterTopicTakesIsDeadLetteredCutAndThoseBehindItAreClassified() throws Exception {
        // The input topic accepts 3 MiB, the worker 2 MiB, the dead-letter topic Kafka's default 1 MiB.
        Topics t = kafka().createTopics(Map.of("max.message.bytes", Integer.toString(3 << 20)), Map.of(), Map.of());
        byte[] huge = new byte[(5 << 20) / 2];
        new Random(11).nextBytes(huge);
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>(labelledRaw(t.input(), 0, 20));
        in.add(input(t.input(), "huge", huge, "origin", "test", DeadLetters.ERROR_REASON, "spoofed"));
        in.addAll(labelledRaw(t.input(), 20, 60));
        kafka().send(onPartitionZero(in), Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20));

        try (WorkerPool pool = WorkerPool.start(config(t, new ImageLimits(2 << 20, ImageLimits.DEFAULT_MAX_PIXELS)),
                model, new SimpleMeterRegistry())) {
            List<ConsumerRecord<byte[], byte[]>> answers = kafka().readCommitted(List.of(t.results(), t.deadLetters()),
                    r -> r.size() >= in.size(), TIMEOUT);
            List<ConsumerRecord<byte[], byte[]>> results = answers.stream().filter(r -> r.topic().equals(t.results())).toList();
            assertEachExactlyOnce(results, 0, 60);

            ConsumerRecord<byte[], byte[]> dead = answers.stream().filter(r -> r.topic().equals(t.deadLetters()))
                    .findFirst().orElseThrow();
            assertEquals("huge", key(dead));
            assertEquals("too_large", header(dead, DeadLetters.ERROR_REASON));
            assertEquals("too_large", new String(dead.headers().headers(DeadLetters.ERROR_REASON).iterator().next().value(),
                    java.nio.charset.StandardCharsets.UTF_8), "the sender's spoofed reason was dropped, not put first");
            assertEquals("true", header(dead, DeadLetters.VALUE_TRUNCATED));
            assertEquals(Integer.toString(huge.length), header(dead, DeadLetters.VALUE_SIZE));
            assertEquals(sha256(huge), header(dead, DeadLetters.VALUE_SHA256));
            assertTrue(dead.value().length > 0 && dead.value().length < 1 << 20, "cut to what fits: " + dead.value().length);
            assertArrayEquals(Arrays.copyOf(huge, dead.value().length), dead.value(), "the original's first bytes");
            assertEquals("test", header(dead, "origin"), "the input's headers travel with it");
            assertEquals("20", header(dead, DeadLetters.SOURCE_OFFSET), "where the whole original still is");
            assertEquals(t.input(), header(dead, DeadLetters.SOURCE_TOPIC));
            assertTrue(pool.isRunning() && pool.failure().isEmpty());
        }
    }

    @Test
    void aResultTheResultsTopicRefusesIsDeadLetteredWithTheKafkaErrorAndTheOthersAreAnswered() throws Exception {
        // The results topic takes at most 4 KiB per record; one input carries a 6 KiB header, which
        // its result copies (allowed by --result-headers), so Kafka refuses that result (and only that one) every time.
        Topics t = kafka().createTopics(Map.of(), Map.of("max.message.bytes", "4096"), Map.of());
        String note = "n".repeat(6 * 1024);
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>(labelledRaw(t.input(), 0, 30));
        in.add(input(t.input(), "annotated", TestInputs.raw(7), "note", note));
        in.addAll(labelledRaw(t.input(), 30, 60));
        kafka().send(onPartitionZero(in));

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Results copy only the allowed input headers: here the operator allows the note.
        WorkerConfig config = config(t, ImageLimits.DEFAULTS).toBuilder().resultHeaders(java.util.Set.of("note")).build();
        try (WorkerPool pool = WorkerPool.start(config, model, registry)) {
            List<ConsumerRecord<byte[], byte[]>> answers = kafka().readCommitted(List.of(t.results(), t.deadLetters()),
                    r -> r.size() >= in.size(), TIMEOUT);
            assertEachExactlyOnce(answers.stream().filter(r -> r.topic().equals(t.results())).toList(), 0, 60);
            ConsumerRecord<byte[], byte[]> dead = answers.stream().filter(r -> r.topic().equals(t.deadLetters()))
                    .findFirst().orElseThrow();
            assertEquals("annotated", key(dead));
            assertEquals("publish_refused", header(dead, DeadLetters.ERROR_REASON));
            assertEquals(RecordTooLargeException.class.getName(), header(dead, DeadLetters.ERROR_CLASS));
            assertTrue(header(dead, DeadLetters.ERROR_MESSAGE).startsWith("Kafka refused its result"),
                    header(dead, DeadLetters.ERROR_MESSAGE));
            assertArrayEquals(TestInputs.raw(7), dead.value());
            assertEquals(note, header(dead, "note"));
            assertEquals(61, answers.size(), "one answer per input, none twice");
            assertEquals(1.0, registry.get("fashion.records").tags("outcome", "dead_lettered", "reason", "publish_refused")
                    .counter().count());
            assertTrue(pool.isRunning() && pool.failure().isEmpty(), "nothing was retried forever, the worker runs on");
        }
    }

    /**
     * A progressive-JPEG CPU bomb (thousands of empty scans) ahead of good images on one partition:
     * refused by its scan count before any decoding, and the images behind it answered.
     */
    @Test
    void aScanBombIsDeadLetteredAndTheImagesBehindItAreAnswered() throws Exception {
        Topics t = kafka().createTopics();
        byte[] jpeg = io.fashionstream.core.photo.CatalogPhotos.sized(TestInputs.raw(3), 600, 800,
                io.fashionstream.core.photo.PhotoVariation.Format.PROGRESSIVE_JPEG, new Random(3));
        java.io.ByteArrayOutputStream bomb = new java.io.ByteArrayOutputStream();
        bomb.write(jpeg, 0, jpeg.length - 2);
        for (int i = 0; i < 5000; i++) {
            bomb.write(new byte[]{(byte) 0xff, (byte) 0xda, 0, 8, 1, 1, 0, 0, 63, 0}); // an empty scan
        }
        bomb.write(jpeg, jpeg.length - 2, 2);
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        in.add(input(t.input(), "bomb", bomb.toByteArray()));
        in.addAll(labelledRaw(t.input(), 0, 60));
        kafka().send(onPartitionZero(in));

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (WorkerPool pool = WorkerPool.start(config(t, ImageLimits.DEFAULTS), model, registry)) {
            List<ConsumerRecord<byte[], byte[]>> answers = kafka().readCommitted(List.of(t.results(), t.deadLetters()),
                    r -> r.size() >= in.size(), TIMEOUT);
            assertEachExactlyOnce(answers.stream().filter(r -> r.topic().equals(t.results())).toList(), 0, 60);
            ConsumerRecord<byte[], byte[]> dead = answers.stream().filter(r -> r.topic().equals(t.deadLetters()))
                    .findFirst().orElseThrow();
            assertEquals("bomb", key(dead));
            assertEquals("too_many_scans", header(dead, DeadLetters.ERROR_REASON));
            assertEquals(1.0, registry.get("fashion.records").tags("outcome", "dead_lettered", "reason", "too_many_scans")
                    .counter().count());
            assertTrue(pool.isRunning() && pool.failure().isEmpty());
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
