package io.fashionstream.worker.kafka;

import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.inference.FashionClassifier;
import io.fashionstream.worker.metrics.WorkerMetrics;
import io.fashionstream.worker.pipeline.BatchClassifier;
import io.fashionstream.worker.pipeline.CopiedHeaders;
import io.fashionstream.worker.pipeline.DeadLetters;
import io.fashionstream.worker.testing.TestInputs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The poll loop against MockConsumer/MockProducer: batching, commit policy and error handling. */
class WorkerLoopTest {
    private static final String TOPIC = "catalog-images";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final String RESULTS = "catalog-labels";
    private static final String DLQ = "catalog-images.dlq";
    private static final long WAIT_MS = 50;
    private static final Duration ACKS = Duration.ofMillis(100);
    private static FashionClassifier network;

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final AtomicLong clock = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Thread thread;
    private WorkerLoop loop;

    @BeforeAll
    static void load() throws Exception {
        network = new FashionClassifier(TestInputs.simpleModel().network());
    }

    @AfterAll
    static void close() {
        network.close();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.stop();
            thread.join(10_000);
        }
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aFloodFillsBatchesAndEachBatchCommitsWithItsOffsets(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(producer, new TransactionalPublisher(producer, consumer, ACKS), 32, decodeThreads);
        addRecords(0, 70);

        await(() -> producer.history().size() == 64, "two full batches");
        assertEquals(2, producer.commitCount());
        assertEquals(64, committedOffset(producer), "offsets travel in the transaction");
        assertEquals(List.of(32), batchSizes(producer).stream().distinct().toList());

        clock.addAndGet(WAIT_MS * 1_000_000); // the rest waits no longer than the max wait
        await(() -> producer.history().size() == 70, "the partial batch after the max wait");
        assertEquals(70, committedOffset(producer));
        assertEquals(6, batchSizes(producer).get(69));
        assertInputOrder(producer.history());
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void oneTransactionGathersTheBatchesOfACommitInterval(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(producer, new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads, Duration.ofMillis(100));
        addRecords(0, 24);

        await(() -> producer.uncommittedRecords().size() == 24, "three batches sent in the open transaction");
        assertEquals(0, producer.commitCount(), "not committed before the interval has passed");
        assertEquals(24, loop.status().heldRecords(), "sent but uncommitted inputs count as held");
        clock.addAndGet(100_000_000L);
        await(() -> producer.history().size() == 24, "committed once the interval has passed");
        assertEquals(1, producer.commitCount(), "one transaction for the three batches");
        assertEquals(24, committedOffset(producer));
        assertEquals(List.of(8), batchSizes(producer).stream().distinct().toList(), "batches of 8 all the same");
        assertInputOrder(producer.history());
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aRebalanceDuringTheCommitAbortsAndRewindsToTheLastCommit(int decodeThreads) throws Exception {
        AtomicInteger failures = new AtomicInteger(1);
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                if (failures.getAndDecrement() > 0) {
                    throw new CommitFailedException("the group rebalanced (simulated)");
                }
                super.commitTransaction();
            }
        };
        start(producer, new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        addRecords(0, 8);

        await(producer::transactionAborted, "the failed batch is aborted");
        await(() -> position() == 0, "the consumer is rewound to the batch's first offset");
        assertTrue(producer.history().isEmpty(), "nothing of the aborted batch is visible");

        addRecords(0, 8); // the broker delivers the same records again
        await(() -> producer.history().size() == 8, "the batch is redone");
        assertEquals(8, committedOffset(producer));
        assertEquals(8, producer.history().stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).distinct().count());
        assertTrue(thread.isAlive(), "a rebalance does not stop the worker");
    }

    /**
     * The group moved on (a broker restart rebuilt it) while a unit gathered over the commit interval
     * was committing, from the loop rather than from a batch: the worker aborts, rewinds and goes on,
     * and never exits on an error a rejoin resolves.
     */
    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1})
    void aGenerationMismatchOnADueCommitAbortsRewindsAndTheWorkerGoesOn(int decodeThreads) throws Exception {
        AtomicInteger failures = new AtomicInteger(1);
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
                                                 org.apache.kafka.clients.consumer.ConsumerGroupMetadata group) {
                if (failures.getAndDecrement() > 0) {
                    throw new CommitFailedException("Transaction offset Commit failed due to consumer group metadata"
                            + " mismatch: Specified group generation id is not valid. (simulated)");
                }
                super.sendOffsetsToTransaction(offsets, group);
            }
        };
        start(producer, new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads, Duration.ofMillis(100));
        addRecords(0, 8);
        await(() -> producer.uncommittedRecords().size() == 8, "the batch is sent in the open transaction");

        clock.addAndGet(100_000_000L); // the interval passes: the loop commits, and the commit fails
        await(producer::transactionAborted, "the unit is aborted");
        await(() -> position() == 0, "the consumer is rewound to the committed offsets");
        assertTrue(producer.history().isEmpty(), "nothing of the aborted unit is visible");

        addRecords(0, 8); // the broker delivers the same records again
        await(() -> producer.uncommittedRecords().size() == 8, "the unit is redone");
        clock.addAndGet(100_000_000L);
        await(() -> producer.commitCount() == 1, "and committed");
        assertEquals(8, producer.history().size());
        assertEquals(8, committedOffset(producer));
        assertNull(loop.failure(), "no exit on an error a rejoin resolves");
        assertTrue(thread.isAlive());
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aCommitThatTimesOutIsRetriedNeverAbortedAndNothingIsRedone(int decodeThreads) throws Exception {
        AtomicInteger failures = new AtomicInteger(3);
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                if (failures.getAndDecrement() > 0) {
                    throw new TimeoutException("broker away (simulated)");
                }
                super.commitTransaction();
            }
        };
        start(producer, new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        addRecords(0, 8);

        await(() -> producer.history().size() == 8, "committed once the broker answers");
        assertFalse(producer.transactionAborted(), "a commit that may be completing is never aborted");
        assertEquals(1, producer.commitCount());
        assertEquals(8, committedOffset(producer));
        assertEquals(8, position(), "no rewind");
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aResultKafkaRefusesIsDeadLetteredAndTheRestOfItsBatchIsPublished(int decodeThreads) throws Exception {
        // Kafka refuses any transaction holding item-5's result, however often it is tried.
        MockProducer<byte[], byte[]> producer = refusingProducer(r -> r.topic().equals(RESULTS) && key(r).equals("item-5"));
        start(producer, new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        addRecords(0, 8);

        await(() -> producer.history().size() == 8, "every input answered");
        assertEquals(8, committedOffset(producer), "the batch's offsets are committed");
        Map<String, ProducerRecord<byte[], byte[]>> byKey = new java.util.HashMap<>();
        producer.history().forEach(r -> byKey.put(key(r), r));
        assertEquals(8, byKey.size(), "each input answered once");
        ProducerRecord<byte[], byte[]> dead = byKey.get("item-5");
        assertEquals(DLQ, dead.topic());
        assertEquals("publish_refused", header(dead, DeadLetters.ERROR_REASON));
        assertEquals(RecordTooLargeException.class.getName(), header(dead, DeadLetters.ERROR_CLASS));
        assertArrayEquals(TestInputs.raw(5), dead.value(), "the original bytes");
        assertEquals(7, producer.history().stream().filter(r -> r.topic().equals(RESULTS)).count());
        assertInputOrder(producer.history().stream().filter(r -> r.topic().equals(RESULTS)).toList());
        assertEquals(1.0, registry.get("fashion.records").tags("outcome", "dead_lettered", "reason", "publish_refused")
                .counter().count());
        assertTrue(thread.isAlive());
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aDeadLetterKafkaRefusesTooIsReplacedByAMinimalOne(int decodeThreads) throws Exception {
        // Kafka refuses any record over 1,000 bytes, as a topic with a small max.message.bytes would.
        MockProducer<byte[], byte[]> producer = refusingProducer(r -> r.value() != null && r.value().length > 1000);
        start(producer, new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        byte[] junk = TestInputs.randomBytes(5000, 3);
        consumer.schedulePollTask(() -> {
            for (int i = 0; i < 8; i++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("origin", "test".getBytes(StandardCharsets.UTF_8));
                consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, i, -1L, TimestampType.CREATE_TIME, -1, -1,
                        ("item-" + i).getBytes(StandardCharsets.UTF_8), i == 2 ? junk : TestInputs.raw(i), headers,
                        Optional.empty()));
            }
        });

        await(() -> producer.history().size() == 8, "every input answered");
        ProducerRecord<byte[], byte[]> dead = producer.history().stream().filter(r -> key(r).equals("item-2"))
                .findFirst().orElseThrow();
        assertEquals(DLQ, dead.topic());
        assertEquals(0, dead.value().length, "the value is left out");
        assertEquals("true", header(dead, DeadLetters.VALUE_TRUNCATED));
        assertEquals("5000", header(dead, DeadLetters.VALUE_SIZE));
        assertEquals(sha256(junk), header(dead, DeadLetters.VALUE_SHA256));
        assertEquals("unknown_format", header(dead, DeadLetters.ERROR_REASON), "still says why it was dead-lettered");
        assertEquals("1", header(dead, DeadLetters.HEADERS_DROPPED));
        assertEquals("2", header(dead, DeadLetters.SOURCE_OFFSET));
        assertEquals(8, committedOffset(producer));
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1})
    void whileKafkaIsAwayTheWorkerWaitsReportsItselfStuckAndStopsWhenAsked(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                throw new TimeoutException("broker away (simulated)");
            }
        };
        start(producer, new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        addRecords(0, 8);
        await(() -> loop.status().heldRecords() == 8, "the batch is held");
        Thread.sleep(300);
        WorkerStatus status = loop.status();
        assertTrue(status.stuck(Duration.ofMillis(100)), "held and unanswered for over 100 ms: " + status);
        assertTrue(status.problem(Duration.ofMillis(100)).orElseThrow().contains("holds 8 input(s)"));
        assertFalse(status.stuck(Duration.ofMinutes(10)));

        loop.stop();
        thread.join(10_000);
        assertFalse(thread.isAlive(), "a stop is noticed between retries");
        assertNull(loop.failure(), "waiting for the broker is not a failure");
        assertTrue(producer.history().isEmpty() && producer.consumerGroupOffsetsHistory().isEmpty(), "nothing committed");
        assertTrue(consumer.closed());
        loop = null;
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aFencedProducerStopsTheWorkerWithAFatalError(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(producer, new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        await(producer::transactionInitialized, "started");
        producer.fenceProducer();
        addRecords(0, 8);

        thread.join(10_000);
        assertFalse(thread.isAlive());
        assertInstanceOf(FatalWorkerException.class, loop.failure());
        assertTrue(producer.history().isEmpty());
        assertTrue(consumer.closed(), "the consumer leaves the group");
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void stoppingFinishesAndCommitsTheBatchInHand(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(producer, new TransactionalPublisher(producer, consumer, ACKS), 32, decodeThreads);
        addRecords(0, 5);
        await(() -> position() == 5, "the five are fetched and waiting for their batch");
        assertTrue(producer.history().isEmpty());

        loop.stop();
        thread.join(10_000);
        assertEquals(5, producer.history().size(), "finished instead of dropped");
        assertEquals(5, committedOffset(producer));
        assertTrue(consumer.closed());
        loop = null;
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void atLeastOnceCommitsNothingUntilEveryAnswerIsAcknowledgedAndSendsNothingTwice(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        start(producer, new AtLeastOncePublisher(producer, consumer, ACKS), 4, decodeThreads);
        addRecords(0, 4);

        await(() -> producer.history().size() == 4, "the batch is sent");
        Thread.sleep(3 * ACKS.toMillis()); // the wait for acknowledgements times out at least once meanwhile
        assertNull(consumer.committed(Set.of(P0)).get(P0), "no offsets committed for an unacknowledged batch");
        while (producer.completeNext()) {
            // acknowledge every send
        }
        await(() -> consumer.committed(Set.of(P0)).get(P0) != null, "committed once acknowledged");
        assertEquals(4, consumer.committed(Set.of(P0)).get(P0).offset());
        assertEquals(4, producer.history().size(), "what was awaited was not sent again");
        assertEquals(4, position(), "retried in place, not rewound");
    }

    /** The consumer's position on P0, or -1 before the loop's first poll assigned it. */
    private long position() {
        return consumer.assignment().contains(P0) ? consumer.position(P0) : -1;
    }

    private MockProducer<byte[], byte[]> transactionalProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A transactional producer whose commit fails, as Kafka's does, while the transaction holds a refused record. */
    private static MockProducer<byte[], byte[]> refusingProducer(Predicate<ProducerRecord<byte[], byte[]>> refused) {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                if (uncommittedRecords().stream().anyMatch(refused)) {
                    throw new KafkaException("Cannot execute transactional method because we are in an error state",
                            new RecordTooLargeException("The message is too large (simulated)"));
                }
                super.commitTransaction();
            }
        };
    }

    private void start(MockProducer<byte[], byte[]> producer, BatchPublisher publisher, int maxBatch, int decodeThreads) {
        start(producer, publisher, maxBatch, decodeThreads, Duration.ZERO);
    }

    private void start(MockProducer<byte[], byte[]> producer, BatchPublisher publisher, int maxBatch, int decodeThreads,
                       Duration commitInterval) {
        DeadLetters deadLetters = new DeadLetters(DLQ, DeadLetters.KAFKA_DEFAULT_MAX_RECORD_BYTES);
        BatchClassifier batches = new BatchClassifier(network, new ImagePreprocessor(ImageLimits.DEFAULTS), "simple",
                "v1", RESULTS, deadLetters, maxBatch, CopiedHeaders.DEFAULT_RESULT_HEADERS, System::currentTimeMillis);
        WorkerMetrics metrics = new WorkerMetrics("simple", "v1", 0.9);
        metrics.bindTo(registry);
        loop = new WorkerLoop("test-worker", consumer, publisher, batches, deadLetters, decodeThreads, metrics, TOPIC,
                maxBatch, Duration.ofMillis(WAIT_MS), commitInterval, clock::get, System::currentTimeMillis);
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.updateBeginningOffsets(Map.of(P0, 0L));
        });
        thread = new Thread(loop, "test-worker");
        thread.start();
    }

    private void addRecords(int from, int to) {
        consumer.schedulePollTask(() -> {
            for (int i = from; i < to; i++) {
                consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, i, ("item-" + i).getBytes(StandardCharsets.UTF_8),
                        TestInputs.raw(i)));
            }
        });
    }

    private static long committedOffset(MockProducer<byte[], byte[]> producer) {
        List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> history = producer.consumerGroupOffsetsHistory();
        assertFalse(history.isEmpty(), "no offsets were committed");
        Map<TopicPartition, OffsetAndMetadata> last = history.get(history.size() - 1).values().iterator().next();
        assertNotNull(last.get(P0));
        return last.get(P0).offset();
    }

    private static List<Integer> batchSizes(MockProducer<byte[], byte[]> producer) throws Exception {
        List<Integer> sizes = new java.util.ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            sizes.add(io.fashionstream.core.Json.MAPPER.readTree(r.value()).get("batchSize").asInt());
        }
        return sizes;
    }

    private static void assertInputOrder(List<ProducerRecord<byte[], byte[]>> results) throws Exception {
        long previous = -1;
        for (ProducerRecord<byte[], byte[]> r : results) {
            long offset = io.fashionstream.core.Json.MAPPER.readTree(r.value()).get("offset").asLong();
            assertTrue(offset > previous, "results in input order");
            previous = offset;
        }
    }

    private static String key(ProducerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting: " + what);
            }
            Thread.sleep(10);
        }
    }
}
