package io.fashionstream.worker.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.worker.WorkerCli;
import io.fashionstream.worker.config.Guarantee;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.it.KafkaTestClient.Topics;
import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.records.DeadLetters;
import io.fashionstream.worker.testing.TestInputs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.fashionstream.worker.it.KafkaTestClient.assertEachExactlyOnce;
import static io.fashionstream.worker.it.KafkaTestClient.countById;
import static io.fashionstream.worker.it.KafkaTestClient.header;
import static io.fashionstream.worker.it.KafkaTestClient.input;
import static io.fashionstream.worker.it.KafkaTestClient.json;
import static io.fashionstream.worker.it.KafkaTestClient.key;
import static io.fashionstream.worker.it.KafkaTestClient.labelledRaw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the worker promises, checked on a real broker by reading the results and dead-letter
 * topics as a {@code read_committed} consumer. Subclasses say which broker: the in-process KRaft
 * broker, or a container where Docker exists.
 */
abstract class WorkerContract {
    /**
     * Broker settings under which a killed member leaves the group quickly, so that its successor
     * takes over its partitions within the test's patience (Kafka's default session is 45 s).
     */
    static final Map<String, String> QUICK_SESSIONS = Map.of(
            "group.consumer.session.timeout.ms", "10000", "group.consumer.min.session.timeout.ms", "10000");

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static ServingModel model;
    private static Dl4jEngine reference;

    /** Bootstrap servers of the broker under test. */
    abstract String bootstrapServers();

    KafkaTestClient kafka() {
        return new KafkaTestClient(bootstrapServers());
    }

    @BeforeAll
    static void loadModel() throws Exception {
        model = TestInputs.servingSimple(EngineKind.ONNXRUNTIME);
        reference = new Dl4jEngine(TestInputs.simpleModel().network());
    }

    @AfterAll
    static void closeModel() {
        model.close();
        reference.close();
    }

    private WorkerConfig config(Topics t, Guarantee guarantee, int workers, int maxBatch, long maxWaitMs) {
        return WorkerConfig.builder()
                .bootstrapServers(bootstrapServers())
                .inputTopic(t.input()).resultsTopic(t.results()).deadLetterTopic(t.deadLetters()).reviewTopic(t.review()).groupId(t.group())
                .transactionalIdPrefix("it-" + t.group())
                .model("simple").modelsDir(TestInputs.MODELS_DIR)
                .workers(workers).maxBatch(maxBatch).maxWait(Duration.ofMillis(maxWaitMs)).guarantee(guarantee)
                .build();
    }

    private List<String> processArgs(Topics t, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--bootstrap-servers", bootstrapServers(),
                "--input-topic", t.input(), "--results-topic", t.results(), "--dead-letter-topic", t.deadLetters(), "--review-topic", t.review(),
                "--group-id", t.group(), "--transactional-id-prefix", "it-" + t.group(),
                "--model", "simple", "--models-dir", TestInputs.MODELS_DIR.toString(), "--metrics-port", "0"));
        args.addAll(List.of(extra));
        return args;
    }

    /** The other engine, DL4J, serves the same answers as its own network does. */
    @Test
    void theDl4jEngineAnswersExactlyOnceWithTheNetworksLabels() throws Exception {
        Topics t = kafka().createTopics();
        int n = 120;
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        Map<String, Integer> expectedLabel = new HashMap<>();
        for (int i = 0; i < n; i++) {
            byte[] png = TestInputs.png(i);
            in.add(input(t.input(), "item-" + i, png));
            expectedLabel.put("item-" + i, TestInputs.expectedLabel(reference, png));
        }
        WorkerConfig config = config(t, Guarantee.EXACTLY_ONCE, 2, 16, 20).toBuilder().engine(EngineKind.DL4J).build();
        try (ServingModel dl4j = config.openModel();
             WorkerPool pool = WorkerPool.start(config, dl4j, new SimpleMeterRegistry())) {
            assertEquals(EngineKind.DL4J.cliName(), dl4j.engine().name());
            kafka().send(in);
            List<ConsumerRecord<byte[], byte[]>> results = kafka().readCommitted(List.of(t.results()), r -> r.size() >= n, TIMEOUT);
            assertEachExactlyOnce(results, 0, n);
            for (ConsumerRecord<byte[], byte[]> r : results) {
                assertEquals(expectedLabel.get(key(r)), json(r).get("label").asInt(), "prediction for " + key(r));
            }
        }
    }

    /**
     * Under a latency objective a batch that is not yet due starts as soon as the one ahead has its
     * answers, its commit overlapping the pass: with inputs coming in waves, each is still answered
     * exactly once, and results of one input partition keep its order.
     */
    @Test
    void underALatencyObjectiveInputsComingInWavesAreEachAnsweredOnceInOrder() throws Exception {
        Topics t = kafka().createTopics();
        int waves = 60;
        int perWave = 10;
        WorkerConfig config = config(t, Guarantee.EXACTLY_ONCE, 2, 64, 100).toBuilder()
                .decodeThreads(1).maxLatency(Duration.ofMillis(100)).build(); // the pass on its helper, as `run` has it
        try (WorkerPool pool = WorkerPool.start(config, model, new SimpleMeterRegistry())) {
            for (int w = 0; w < waves; w++) {
                List<ProducerRecord<byte[], byte[]>> wave = new ArrayList<>();
                for (int i = w * perWave; i < (w + 1) * perWave; i++) {
                    wave.add(input(t.input(), "item-" + i, TestInputs.raw(i)));
                }
                kafka().send(wave);
                TimeUnit.MILLISECONDS.sleep(2); // the next wave comes while the batch before runs
            }
            int n = waves * perWave;
            List<ConsumerRecord<byte[], byte[]>> results = kafka().readCommitted(List.of(t.results()), r -> r.size() >= n, TIMEOUT);

            assertEachExactlyOnce(results, 0, n);
            Map<String, Long> lastOffset = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : results) {
                JsonNode v = json(r);
                String source = r.partition() + "/" + v.get("partition").asInt();
                assertTrue(v.get("offset").asLong() > lastOffset.getOrDefault(source, -1L), "input order within a partition");
                lastOffset.put(source, v.get("offset").asLong());
            }
        }
    }

    @Test
    void labelledImagesAreEachClassifiedExactlyOnceLikeEvaluateDoes() throws Exception {
        Topics t = kafka().createTopics();
        int n = 300;
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        int expectedCorrect = 0;
        Map<String, Integer> expectedLabel = new HashMap<>();
        for (int i = 0; i < n; i++) {
            byte[] png = TestInputs.png(i);
            in.add(input(t.input(), "item-" + i, png, "label", Integer.toString(TestInputs.label(i)), "traceparent", "00-trace-" + i + "-01"));
            int predicted = TestInputs.expectedLabel(reference, png);
            expectedLabel.put("item-" + i, predicted);
            expectedCorrect += predicted == TestInputs.label(i) ? 1 : 0;
        }
        try (WorkerPool pool = WorkerPool.start(config(t, Guarantee.EXACTLY_ONCE, 2, 32, 20), model, new SimpleMeterRegistry())) {
            kafka().send(in);
            List<ConsumerRecord<byte[], byte[]>> results = kafka().readCommitted(List.of(t.results()), r -> r.size() >= n, TIMEOUT);

            assertEachExactlyOnce(results, 0, n);
            int correct = 0;
            Map<Integer, Long> lastOffsetByInputPartition = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : results) {
                JsonNode v = json(r);
                assertEquals(expectedLabel.get(key(r)), v.get("label").asInt(), "prediction for " + key(r));
                correct += v.get("correct").asBoolean() ? 1 : 0;
                assertEquals("00-trace-" + key(r).substring(5) + "-01", header(r, "traceparent"));
            }
            assertEquals(expectedCorrect, correct, "accuracy equals the network's on the same images");
            // Within each results partition, results of one input partition keep the input order.
            for (int p = 0; p < 3; p++) {
                lastOffsetByInputPartition.clear();
                for (ConsumerRecord<byte[], byte[]> r : results) {
                    if (r.partition() != p) {
                        continue;
                    }
                    JsonNode v = json(r);
                    long previous = lastOffsetByInputPartition.getOrDefault(v.get("partition").asInt(), -1L);
                    assertTrue(v.get("offset").asLong() > previous, "input order within a partition");
                    lastOffsetByInputPartition.put(v.get("partition").asInt(), v.get("offset").asLong());
                }
            }
        }
    }

    @Test
    void badInputsGoToTheDeadLetterTopicWithTheirBytesAndTheWorkerCarriesOn() throws Exception {
        Topics t = kafka().createTopics();
        Map<String, byte[]> bad = new HashMap<>();
        bad.put("truncated-png", TestInputs.truncatedPng());
        bad.put("zero-bytes", new byte[0]);
        bad.put("raw-783", new byte[783]);
        bad.put("random", TestInputs.randomBytes(2000, 7));
        bad.put("huge-header", TestInputs.pngClaiming(50_000, 50_000));
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        bad.forEach((k, v) -> in.add(input(t.input(), k, v, "origin", "test")));
        in.add(input(t.input(), "bad-label", TestInputs.png(1), "label", "wellington boot"));
        in.addAll(labelledRaw(t.input(), 0, 20));

        try (WorkerPool pool = WorkerPool.start(config(t, Guarantee.EXACTLY_ONCE, 1, 8, 20), model, new SimpleMeterRegistry())) {
            kafka().send(in);
            List<ConsumerRecord<byte[], byte[]>> answers = kafka().readCommitted(List.of(t.results(), t.deadLetters()),
                    r -> r.size() >= in.size(), TIMEOUT);
            List<ConsumerRecord<byte[], byte[]>> dead = answers.stream().filter(r -> r.topic().equals(t.deadLetters())).toList();
            assertEquals(bad.size() + 1, dead.size());
            Set<String> deadKeys = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> d : dead) {
                deadKeys.add(key(d));
                if (bad.containsKey(key(d))) {
                    assertArrayEquals(bad.get(key(d)), d.value(), "original bytes of " + key(d));
                    assertEquals("test", header(d, "origin"), "original headers kept");
                }
                assertEquals(t.input(), header(d, DeadLetters.SOURCE_TOPIC));
                assertTrue(header(d, DeadLetters.ERROR_CLASS).endsWith("Exception"));
                assertTrue(!header(d, DeadLetters.ERROR_MESSAGE).isBlank());
                Long.parseLong(header(d, DeadLetters.SOURCE_OFFSET));
                Integer.parseInt(header(d, DeadLetters.SOURCE_PARTITION));
            }
            Set<String> expectedDead = new HashSet<>(bad.keySet());
            expectedDead.add("bad-label");
            assertEquals(expectedDead, deadKeys);
            assertEquals(20, answers.size() - dead.size(), "the good ones are classified");
            assertTrue(pool.isRunning() && pool.failure().isEmpty(), "the worker is still running");
        }
    }

    @Test
    void aFloodFillsBatchesAndASingleRecordIsAnsweredWithinTheMaxWait() throws Exception {
        Topics t = kafka().createTopics();
        // Everything is in the topic before the worker starts: a flood.
        kafka().send(labelledRaw(t.input(), 0, 600));
        try (WorkerPool pool = WorkerPool.start(config(t, Guarantee.EXACTLY_ONCE, 1, 64, 400), model, new SimpleMeterRegistry())) {
            List<ConsumerRecord<byte[], byte[]>> flood = kafka().readCommitted(List.of(t.results()), r -> r.size() >= 600, TIMEOUT);
            int largest = flood.stream().mapToInt(r -> json(r).get("batchSize").asInt()).max().orElse(0);
            assertTrue(largest > 1, "a flood is batched, largest batch " + largest);

            kafka().send(labelledRaw(t.input(), 600, 601));
            List<ConsumerRecord<byte[], byte[]>> all = kafka().readCommitted(List.of(t.results()), r -> r.size() >= 601, TIMEOUT);
            ConsumerRecord<byte[], byte[]> single = all.stream().filter(r -> key(r).equals("item-600")).findFirst().orElseThrow();
            assertEquals(1, json(single).get("batchSize").asInt(), "the lone record ran alone when its wait was up");
        }
    }

    @Test
    void atLeastOnceAnswersEveryInput() throws Exception {
        Topics t = kafka().createTopics();
        try (WorkerPool pool = WorkerPool.start(config(t, Guarantee.AT_LEAST_ONCE, 2, 16, 20), model, new SimpleMeterRegistry())) {
            kafka().send(labelledRaw(t.input(), 0, 200));
            List<ConsumerRecord<byte[], byte[]>> results = kafka().readCommitted(List.of(t.results()), r -> r.size() >= 200, TIMEOUT);
            assertEachExactlyOnce(results, 0, 200); // no failure happened, so not even a repeat
            assertEquals(200, kafka().committedTotal(t.group(), t.input()));
        }
    }

    @Test
    void aWorkerKilledMidStreamLosesAndRepeatsNothingUnderExactlyOnce() throws Exception {
        Topics t = kafka().createTopics();
        int n = 3000;
        kafka().send(labelledRaw(t.input(), 0, n));
        Process victim = WorkerProcess.start("killed-" + t.group(), processArgs(t, "--max-batch", "16"));
        try {
            kafka().readCommitted(List.of(t.results()), r -> r.size() >= 300, TIMEOUT);
        } finally {
            victim.destroyForcibly(); // SIGKILL: no commit, no leaving the group
            victim.waitFor(30, TimeUnit.SECONDS);
        }
        try (WorkerPool successor = WorkerPool.start(config(t, Guarantee.EXACTLY_ONCE, 1, 64, 20), model, new SimpleMeterRegistry())) {
            List<ConsumerRecord<byte[], byte[]>> results = kafka().readCommitted(List.of(t.results()),
                    r -> countById(r).size() >= n, TIMEOUT);
            assertEachExactlyOnce(results, 0, n);
        }
    }

    @Test
    void sigtermFinishesTheBatchCommitsAndExitsZero() throws Exception {
        Topics t = kafka().createTopics();
        int n = 3000;
        kafka().send(labelledRaw(t.input(), 0, n));
        String log = "sigterm-" + t.group();
        Process worker = WorkerProcess.start(log, processArgs(t, "--max-batch", "16"));
        kafka().readCommitted(List.of(t.results()), r -> r.size() >= 300, TIMEOUT);
        long signalled = System.nanoTime();
        worker.destroy(); // SIGTERM
        assertTrue(worker.waitFor(60, TimeUnit.SECONDS), "the worker exits");
        System.out.printf("worker stopped %d ms after SIGTERM%n", (System.nanoTime() - signalled) / 1_000_000);
        assertEquals(0, worker.exitValue(), WorkerProcess.log(log));

        List<ConsumerRecord<byte[], byte[]>> done = kafka().readCommitted(List.of(t.results()), r -> false, Duration.ZERO);
        assertEquals(done.size(), countById(done).size(), "nothing answered twice");
        assertEquals(done.size(), kafka().committedTotal(t.group(), t.input()),
                "the committed offsets cover exactly what was answered");

        try (WorkerPool successor = WorkerPool.start(config(t, Guarantee.EXACTLY_ONCE, 1, 64, 20), model, new SimpleMeterRegistry())) {
            List<ConsumerRecord<byte[], byte[]>> results = kafka().readCommitted(List.of(t.results()),
                    r -> countById(r).size() >= n, TIMEOUT);
            assertEachExactlyOnce(results, 0, n);
        }
    }

    @Test
    void aMissingInputTopicIsReportedClearly() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        int code;
        try {
            code = WorkerCli.run(Map.of(), "run", "--bootstrap-servers", bootstrapServers(), "--input-topic", "no-such-topic",
                    "--model", "simple", "--models-dir", TestInputs.MODELS_DIR.toString(), "--startup-timeout-ms", "20000",
                    "--metrics-port", "0");
        } finally {
            System.setErr(original);
        }
        assertEquals(WorkerCli.EXIT_FAILED, code, err.toString());
        assertTrue(err.toString().contains("'no-such-topic'") && err.toString().contains("not found"), err.toString());
    }
}
