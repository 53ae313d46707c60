package io.fashionstream.worker.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.model.ModelLoadException;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.kafkakit.TopicLeaders;
import io.fashionstream.worker.WorkerCli;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.it.KafkaTestClient.Topics;
import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.release.CanarySplit;
import io.fashionstream.worker.release.LiveModels;
import io.fashionstream.worker.release.ModelRelease;
import io.fashionstream.worker.release.ReleaseLoader;
import io.fashionstream.worker.release.ReleaseLog;
import io.fashionstream.worker.release.ReleasePublisher;
import io.fashionstream.worker.release.ReleaseTopic;
import io.fashionstream.worker.release.ReleaseWatcher;
import io.fashionstream.worker.release.Rollout;
import io.fashionstream.worker.testing.ReleaseFiles;
import io.fashionstream.worker.testing.StdoutCapture;
import io.fashionstream.worker.testing.TestInputs;
import io.fashionstream.worker.topics.TopicPlan;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static io.fashionstream.worker.it.KafkaTestClient.assertEachExactlyOnce;
import static io.fashionstream.worker.it.KafkaTestClient.json;
import static io.fashionstream.worker.it.KafkaTestClient.key;
import static io.fashionstream.worker.it.KafkaTestClient.labelledRaw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model rollout on a real broker, with the {@code release} commands an operator runs and workers
 * following the release topic: a switch under load loses and repeats nothing; broken releases are
 * refused while the live one serves; a shadow is measured, never published; a canary answers its
 * share by key, is promoted, rolled back, or rolled back on its own when it breaches its bound;
 * a worker started later serves what is live.
 */
class ModelRolloutIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String SIMPLE = ReleaseFiles.release("simple").id();
    private static final String COMPLEX2 = ReleaseFiles.release("complex2").id();
    private static EmbeddedKafka broker;

    @RegisterExtension
    final StdoutCapture stdout = new StdoutCapture();

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafka.start(WorkerContract.QUICK_SESSIONS, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Test
    void aRolloutUnderLoadSwitchesAnswersToTheNextReleaseWithNothingLostOrRepeated() throws Exception {
        Pipeline p = pipeline(b -> b);
        assertEquals(0, p.release("publish", "--model", "simple"));
        int n = 3000;
        try (Worker worker = p.worker(p.config)) {
            assertEquals(SIMPLE, worker.models.current().primary().id());
            Thread load = p.sendAtRate(0, n, 100);
            p.awaitResults(300);
            assertEquals(0, p.release("publish", "--model", "complex2", "--reason", "retrained"));
            await(() -> worker.models.current().primary().id().equals(COMPLEX2), "complex2 primary");
            assertTrue(load.isAlive(), "switched while the load went on");
            load.join();
            List<ConsumerRecord<byte[], byte[]>> results = p.results(n);
            assertEachExactlyOnce(results, 0, n);
            Map<String, Long> byRelease = results.stream().collect(Collectors.groupingBy(r -> json(r).get("release").asText(),
                    Collectors.counting()));
            assertEquals(Set.of(SIMPLE, COMPLEX2), byRelease.keySet(), byRelease.toString());
            // Per partition, in input order: once the new release answers, the old one never does again.
            Map<Integer, TreeMap<Long, String>> byPartition = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : results) {
                JsonNode v = json(r);
                byPartition.computeIfAbsent(v.get("partition").asInt(), k -> new TreeMap<>())
                        .put(v.get("offset").asLong(), v.get("release").asText());
            }
            for (TreeMap<Long, String> partition : byPartition.values()) {
                List<String> order = List.copyOf(partition.values());
                int first = order.indexOf(COMPLEX2);
                assertTrue(first < 0 || !order.subList(first, order.size()).contains(SIMPLE), "switched back: " + order);
            }
            assertEquals(1.0, worker.counter("fashion.rollout.events", "action", "publish"));
        }
    }

    @Test
    void brokenReleasesAreRefusedWhileTheLiveOneServes() throws Exception {
        Pipeline p = pipeline(b -> b);
        assertEquals(0, p.release("publish", "--model", "simple"));
        try (Worker worker = p.worker(p.config);
             ReleasePublisher unchecked = new ReleasePublisher(p.clientProps(), p.releases, Duration.ofSeconds(30))) {
            // Published past the command's gate, as a broken pipeline or a hand-made record would; one at a
            // time, as a worker applies only the latest of the rollouts it reads together.
            Map<String, ModelRelease> broken = Map.of("checksum", ReleaseFiles.corrupted("complex2"),
                    "shape", ReleaseFiles.fiveOutputs("simple"), "accuracy", ReleaseFiles.claiming("complex1", 0.95));
            for (var bad : broken.entrySet()) {
                unchecked.publish(bad.getValue());
                unchecked.publish(Rollout.of(Rollout.PUBLISH, bad.getValue().id(), null, null, null, "broken", "test"));
                await(() -> worker.counter("fashion.release.refusals", "check", bad.getKey()) == 1, bad.getKey());
                assertEquals(SIMPLE, worker.models.current().primary().id());
            }
            p.send(0, 100);
            for (ConsumerRecord<byte[], byte[]> r : p.results(100)) {
                assertEquals(SIMPLE, json(r).get("release").asText(), "the live release keeps serving");
            }
        }
        // The command runs the same gate before it publishes anything.
        Path dir = Files.createTempDirectory("overclaiming");
        ModelRelease overclaiming = ReleaseFiles.claiming("complex1", 0.95);
        Files.write(dir.resolve("complex1.onnx"), overclaiming.onnx());
        io.fashionstream.core.Json.MAPPER.writeValue(dir.resolve("complex1.json").toFile(), overclaiming.card());
        int before = p.recordsOnReleaseTopic();
        assertEquals(1, p.release("publish", "--model", dir.resolve("complex1.onnx").toString()));
        assertEquals(before, p.recordsOnReleaseTopic(), "the refused command published nothing");
    }

    @Test
    void aShadowIsMeasuredAgainstThePrimaryAndNeverPublished() throws Exception {
        Pipeline p = pipeline(b -> b);
        assertEquals(0, p.release("publish", "--model", "simple"));
        assertEquals(0, p.release("publish", "--model", "complex2", "--as", "shadow"));
        try (Worker worker = p.worker(p.config)) {
            p.send(0, 400);
            for (ConsumerRecord<byte[], byte[]> r : p.results(400)) {
                assertEquals(SIMPLE, json(r).get("release").asText());
                assertEquals("primary", json(r).get("role").asText());
            }
            await(() -> worker.gauge("fashion.release.compared", COMPLEX2) == 400, "400 compared");
            double agreement = worker.gauge("fashion.release.agreement", COMPLEX2);
            assertTrue(agreement > 0.8 && agreement < 1, "agreement " + agreement);
            double shadowAccuracy = worker.gauge("fashion.release.accuracy", COMPLEX2);
            double primaryAccuracy = worker.gauge("fashion.release.primary.accuracy", COMPLEX2);
            assertTrue(shadowAccuracy > 0.85 && primaryAccuracy > 0.8, shadowAccuracy + " / " + primaryAccuracy);
            assertEquals(400.0, worker.counter("fashion.release.answers", "release", SIMPLE));
            assertTrue(worker.registry.get("fashion.release.inference").tag("role", "shadow").timer().count() > 0);
        }
    }

    @Test
    void aCanaryAnswersItsShareByKeyThenIsPromotedAndRolledBackAndALaterWorkerServesWhatIsLive() throws Exception {
        Pipeline p = pipeline(b -> b.canaryMinAgreement(0.5).canaryMaxAccuracyDrop(1));
        assertEquals(0, p.release("publish", "--model", "simple"));
        try (Worker worker = p.worker(p.config)) {
            assertEquals(0, p.release("publish", "--model", "complex2", "--as", "canary", "--canary-share", "0.3"));
            await(() -> worker.models.current().canary() != null, "the canary live");
            p.send(0, 1000);
            p.send(0, 1000); // the same keys again
            List<ConsumerRecord<byte[], byte[]>> results = p.results(2000);
            Map<String, Set<String>> releasesByKey = new HashMap<>();
            int canary = 0;
            for (ConsumerRecord<byte[], byte[]> r : results) {
                JsonNode v = json(r);
                boolean chosen = CanarySplit.toCanary(keyed(key(r)), 0.3);
                assertEquals(chosen ? "canary" : "primary", v.get("role").asText(), key(r));
                assertEquals(chosen ? COMPLEX2 : SIMPLE, v.get("release").asText(), key(r));
                releasesByKey.computeIfAbsent(key(r), k -> new java.util.HashSet<>()).add(v.get("release").asText());
                canary += chosen ? 1 : 0;
            }
            assertTrue(Math.abs(canary / 2000.0 - 0.3) < 0.05, canary + " of 2000 answered by a 30% canary");
            assertTrue(releasesByKey.values().stream().allMatch(s -> s.size() == 1), "each key met one release");

            assertEquals(0, p.release("promote"));
            await(() -> worker.models.current().primary().id().equals(COMPLEX2), "complex2 primary");
            p.send(1000, 1100);
            assertEquals(Set.of(COMPLEX2 + " primary"), releases(p.results(2100), 1000, 1100));

            assertEquals(0, p.release("rollback", "--reason", "rolled back in a test"));
            await(() -> worker.models.current().primary().id().equals(SIMPLE), "simple primary again");
            p.send(1100, 1200);
            assertEquals(Set.of(SIMPLE + " primary"), releases(p.results(2200), 1100, 1200));
        }
        stdout.reset();
        assertEquals(0, p.release("list"));
        String listing = stdout.text();
        assertTrue(listing.contains("live: primary " + SIMPLE), listing);
        List<String> actions = listing.lines().filter(l -> l.startsWith("  20")).map(l -> l.trim().split("\\s+")[1]).toList();
        assertEquals(List.of("publish", "publish", "promote", "rollback"), actions, listing);

        // A worker started now serves the live release, whatever its --model says.
        Pipeline later = p.alongside(b -> b.model("complex1"));
        try (Worker worker = later.worker(later.config)) {
            later.send(0, 50);
            assertEquals(Set.of(SIMPLE + " primary"), releases(later.results(50), 0, 50));
        }
    }

    @Test
    void aCanaryThatDisagreesWithThePrimaryIsRolledBackByTheWorkersThemselves() throws Exception {
        // simple and complex2 agree on about nine answers in ten: under a 99% bound the canary must go.
        Pipeline p = pipeline(b -> b.canaryMinAgreement(0.99).canaryMinAnswers(100));
        assertEquals(0, p.release("publish", "--model", "simple"));
        assertEquals(0, p.release("publish", "--model", "complex2", "--as", "canary", "--canary-share", "0.5"));
        try (Worker worker = p.worker(p.config)) {
            assertEquals(COMPLEX2, worker.models.current().canary().id());
            p.send(0, 600);
            p.results(600);
            await(() -> worker.models.current().canary() == null, "the canary rolled back");
            assertEquals(1.0, worker.counter("fashion.rollout.events", "action", Rollout.AUTO_ROLLBACK));
            try (ReleaseLog log = new ReleaseLog(p.clientProps(), p.releases)) {
                log.catchUp(TIMEOUT);
                Rollout latest = log.latest().orElseThrow();
                assertEquals(Rollout.AUTO_ROLLBACK, latest.action());
                assertEquals(SIMPLE, latest.primary());
                assertEquals(null, latest.canary());
                assertTrue(latest.reason().contains("agreed with the primary on"), latest.reason());
            }
            p.send(600, 700);
            assertEquals(Set.of(SIMPLE + " primary"), releases(p.results(700), 600, 700));
        }
    }

    // --- the pipeline, the worker and the commands

    private Pipeline pipeline(UnaryOperator<WorkerConfig.Builder> tweak) throws Exception {
        Topics t = new KafkaTestClient(broker.bootstrapServers()).createTopics();
        String releases = "releases-" + t.group();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(TopicPlan.releases(releases, (short) 1, ReleaseTopic.MAX_RECORD_BYTES).toNewTopic()))
                    .all().get(30, TimeUnit.SECONDS);
            TopicLeaders.await(admin, List.of(releases), Duration.ofSeconds(30));
        }
        return new Pipeline(t, releases, tweak);
    }

    /** One test's topics, its release topic and its workers' settings. */
    private final class Pipeline {
        final Topics topics;
        final String releases;
        final WorkerConfig config;
        final KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());

        Pipeline(Topics topics, String releases, UnaryOperator<WorkerConfig.Builder> tweak) {
            this.topics = topics;
            this.releases = releases;
            this.config = tweak.apply(WorkerConfig.builder().bootstrapServers(broker.bootstrapServers())
                    .inputTopic(topics.input()).resultsTopic(topics.results()).deadLetterTopic(topics.deadLetters())
                    .reviewTopic(topics.review()).groupId(topics.group()).transactionalIdPrefix("rollout-" + topics.group())
                    .releaseTopic(releases).model("simple").modelsDir(TestInputs.MODELS_DIR).workers(2).maxBatch(32)
                    .intraOpThreads(1)).build();
        }

        /** Fresh input and result topics following the same release topic. */
        Pipeline alongside(UnaryOperator<WorkerConfig.Builder> tweak) throws Exception {
            return new Pipeline(kafka.createTopics(), releases, tweak);
        }

        Worker worker(WorkerConfig config) throws Exception {
            return new Worker(config);
        }

        /** {@code fashion-worker release <args>} against this pipeline's release topic. */
        int release(String... args) {
            List<String> all = new ArrayList<>(List.of("release"));
            all.addAll(List.of(args));
            all.addAll(List.of("--bootstrap-servers", broker.bootstrapServers(), "--release-topic", releases,
                    "--models-dir", TestInputs.MODELS_DIR.toString()));
            if (!List.of("publish").contains(args[0])) {
                all.removeAll(List.of("--models-dir", TestInputs.MODELS_DIR.toString()));
            }
            return WorkerCli.run(Map.of(), all.toArray(String[]::new));
        }

        int recordsOnReleaseTopic() {
            try (ReleaseLog log = new ReleaseLog(clientProps(), releases)) {
                log.catchUp(TIMEOUT);
                return log.history().size() + log.releases().size();
            }
        }

        Map<String, Object> clientProps() {
            return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        }

        void send(int from, int to) {
            kafka.send(labelledRaw(topics.input(), from, to));
        }

        /** Sends item-{from}..item-{to - 1} at about {@code perSecond}, in tenths of a second, on a thread of its own. */
        Thread sendAtRate(int from, int to, int perSecond) {
            Thread sender = new Thread(() -> {
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                        ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
                    int step = Math.max(1, perSecond / 10);
                    for (int i = from; i < to; i += step) {
                        labelledRaw(topics.input(), i, Math.min(to, i + step)).forEach(producer::send);
                        producer.flush();
                        Thread.sleep(100);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "rollout-load");
            sender.start();
            return sender;
        }

        List<ConsumerRecord<byte[], byte[]>> results(int count) {
            return kafka.readCommitted(List.of(topics.results()), r -> r.size() >= count, TIMEOUT);
        }

        void awaitResults(int count) {
            kafka.readCommitted(List.of(topics.results()), r -> r.size() >= count, TIMEOUT);
        }
    }

    /** A worker process as {@code run} starts it: the release watcher, then the pool, then the watcher following. */
    private static final class Worker implements AutoCloseable {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final ReleaseWatcher watcher;
        final LiveModels models;
        final WorkerPool pool;

        Worker(WorkerConfig config) throws Exception {
            ReleaseLoader loader = ReleaseLoader.forConfig(config);
            watcher = ReleaseWatcher.forConfig(config, loader);
            models = watcher.begin(() -> {
                try {
                    return loader.local(config.openModel());
                } catch (ModelLoadException e) {
                    throw new IllegalStateException(e);
                }
            }, TIMEOUT);
            pool = WorkerPool.start(config, models, registry);
            watcher.follow(pool.releaseMetrics());
        }

        double counter(String name, String tag, String value) {
            Counter c = registry.find(name).tag(tag, value).counter();
            return c == null ? 0 : c.count();
        }

        double gauge(String name, String release) {
            var g = registry.find(name).tag("release", release).gauge();
            return g == null ? Double.NaN : g.value();
        }

        @Override
        public void close() throws Exception {
            pool.close();
            watcher.close();
            models.close();
        }
    }

    /** The releases and roles that answered item-{from}..item-{to - 1}. */
    private static Set<String> releases(List<ConsumerRecord<byte[], byte[]>> results, int from, int to) {
        Set<String> wanted = new java.util.HashSet<>();
        for (int i = from; i < to; i++) {
            wanted.add("item-" + i);
        }
        List<ConsumerRecord<byte[], byte[]>> theirs = results.stream().filter(r -> wanted.contains(key(r))).toList();
        assertEquals(to - from, theirs.size(), "each of them answered once");
        return theirs.stream().map(r -> json(r).get("release").asText() + " " + json(r).get("role").asText())
                .collect(Collectors.toSet());
    }

    private static ConsumerRecord<byte[], byte[]> keyed(String key) {
        return new ConsumerRecord<>("in", 0, 0, 0L, TimestampType.CREATE_TIME, -1, -1,
                key.getBytes(StandardCharsets.UTF_8), new byte[0], new RecordHeaders(), Optional.empty());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }
}
