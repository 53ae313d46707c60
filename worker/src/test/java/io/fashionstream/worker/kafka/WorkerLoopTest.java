package io.fashionstream.worker.kafka;

import io.fashionstream.worker.testing.TestReleases;
import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.worker.batch.AnswerStage;
import io.fashionstream.worker.batch.ReviewRoute;
import io.fashionstream.worker.batch.DecodeStage;
import io.fashionstream.worker.batch.StagePipeline;
import io.fashionstream.worker.metrics.WorkerMetrics;
import io.fashionstream.worker.records.CopiedHeaders;
import io.fashionstream.worker.records.DeadLetters;
import io.fashionstream.worker.testing.StubEngine;
import io.fashionstream.worker.testing.RecordSchemas;
import io.fashionstream.worker.testing.TestInputs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker loop against MockConsumer/MockProducer and a stub engine: batching, commit policy,
 * rebalances and error handling. The test thread drives the loop step by step on a test clock,
 * with retries that do not wait, so nothing sleeps.
 */
class WorkerLoopTest {
    private static final String TOPIC = "catalog-images";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final String RESULTS = "catalog-labels";
    private static final String DLQ = "catalog-images.dlq";
    private static final long WAIT_MS = 50;
    private static final Duration ACKS = Duration.ofMillis(100);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    /** Steps a test lets the loop take to get somewhere: each step runs everything that is due. */
    private static final int MAX_STEPS = 200;

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final AtomicLong clock = new AtomicLong();
    /** The loop's latency objective; none unless a test sets one before {@code start}. */
    private Duration maxLatency = Duration.ZERO;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StubEngine engine = new StubEngine();
    private WorkerLoop loop;

    /** Producers whose every record is checked against the published schemas after each test. */
    private final List<MockProducer<byte[], byte[]>> producers = new ArrayList<>();

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.stop();
            loop.finish();
            loop.close();
        }
        for (MockProducer<byte[], byte[]> producer : producers) {
            for (ProducerRecord<byte[], byte[]> r : producer.history()) {
                if (r.topic().equals(RESULTS)) {
                    RecordSchemas.RESULT.check(r.value());
                } else if (r.topic().equals(DLQ)) {
                    RecordSchemas.checkDeadLetter(r.headers());
                }
            }
        }
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aFloodFillsBatchesAndEachBatchCommitsWithItsOffsets(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(new TransactionalPublisher(producer, consumer, ACKS), 32, decodeThreads);
        addRecords(0, 70);

        stepUntil(() -> producer.history().size() == 64, "two full batches");
        assertEquals(2, producer.commitCount());
        assertEquals(64, committedOffset(producer), "offsets travel in the transaction");
        assertEquals(List.of(32), batchSizes(producer).stream().distinct().toList());

        clock.addAndGet(WAIT_MS * 1_000_000); // the rest waits no longer than the max wait
        stepUntil(() -> producer.history().size() == 70, "the partial batch after the max wait");
        assertEquals(70, committedOffset(producer));
        assertEquals(6, batchSizes(producer).get(69));
        assertInputOrder(producer.history());
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void oneTransactionGathersTheBatchesOfACommitInterval(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads, Duration.ofMillis(100));
        addRecords(0, 24);

        stepUntil(() -> producer.uncommittedRecords().size() == 24, "three batches sent in the open transaction");
        loop.step();
        assertEquals(0, producer.commitCount(), "not committed before the interval has passed");
        assertEquals(24, loop.status().heldRecords(), "sent but uncommitted inputs count as held");
        clock.addAndGet(100_000_000L);
        stepUntil(() -> producer.history().size() == 24, "committed once the interval has passed");
        assertEquals(1, producer.commitCount(), "one transaction for the three batches");
        assertEquals(24, committedOffset(producer));
        assertEquals(List.of(8), batchSizes(producer).stream().distinct().toList(), "batches of 8 all the same");
        assertInputOrder(producer.history());
    }

    @Test
    void underALatencyObjectiveBatchesStartSmallAndAUnitCommitsByItsOldestInputsBudget() throws Exception {
        maxLatency = Duration.ofMillis(50); // a 75% budget: 37.5 ms
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(new TransactionalPublisher(producer, consumer, ACKS), 64, 1, Duration.ofSeconds(10));
        assertEquals(64, loop.batchSizeLimit(), "the configured limit until the loop has run");
        addRecords(0, 32);

        stepUntil(() -> producer.uncommittedRecords().size() == 32, "both batches sent in the open transaction");
        assertEquals(0, producer.commitCount());
        long ms = 1_000_000L;
        clock.addAndGet(36 * ms);
        loop.step();
        assertEquals(0, producer.commitCount(), "within the budget less the (measured) commit time");
        clock.addAndGet(2 * ms);
        stepUntil(() -> producer.commitCount() == 1, "committed by the budget, long before the 10 s interval");
        assertEquals(32, committedOffset(producer));
        assertEquals(List.of(16), batchSizes(producer).stream().distinct().toList(),
                "at most 16 inputs a batch until batches are measured");
        assertTrue(loop.batchSizeLimit() > 16, "measured, the stub engine's batches cost next to nothing: "
                + loop.batchSizeLimit());
        assertTrue(loop.batchWaitLimitSeconds() <= WAIT_MS / 1000.0, "never past --max-wait-ms");
    }

    @Test
    void underALatencyObjectiveWhatCameWhileABatchRanStartsOnceItsAnswersAreReady() throws Exception {
        maxLatency = Duration.ofMillis(50);
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(new TransactionalPublisher(producer, consumer, ACKS), 64, 1, Duration.ofSeconds(10));
        addRecords(0, 21); // a first batch of 16 (the limit until batches are measured), and 5 more

        // The test clock stands still: without an objective the 5 would wait for --max-wait-ms.
        stepUntil(() -> producer.uncommittedRecords().size() == 21,
                "the 5 started once the first batch had its answers, its commit overlapping their pass");
        List<Integer> sizes = batchSizes(producer.uncommittedRecords());
        assertEquals(16, sizes.get(0));
        assertEquals(5, sizes.get(20));
        assertInputOrder(producer.uncommittedRecords());
    }

    @Test
    void underALatencyObjectiveAnInputThatIsLateAlreadyDoesNotWaitForItsBatchToFill() throws Exception {
        maxLatency = Duration.ofMillis(50);
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(new TransactionalPublisher(producer, consumer, ACKS), 64, 1, Duration.ofSeconds(10));
        long heldUpstream = System.currentTimeMillis() - 1_000; // a second old when read: past the objective
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, heldUpstream,
                TimestampType.CREATE_TIME, -1, -1, "item-0".getBytes(StandardCharsets.UTF_8), TestInputs.raw(0),
                new RecordHeaders(), Optional.empty())));

        // The test clock stands still: only a batch due at once is sent.
        stepUntil(() -> producer.uncommittedRecords().size() == 1, "the late input sent without waiting");
        assertEquals(0, producer.commitCount(), "committed with its interval's unit, as a backlog is");
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
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        addRecords(0, 8);

        stepUntil(producer::transactionAborted, "the failed batch is aborted");
        assertEquals(0, position(), "the consumer is rewound to the batch's first offset");
        assertTrue(producer.history().isEmpty(), "nothing of the aborted batch is visible");

        addRecords(0, 8); // the broker delivers the same records again
        stepUntil(() -> producer.history().size() == 8, "the batch is redone");
        assertEquals(8, committedOffset(producer));
        assertEquals(8, producer.history().stream().map(WorkerLoopTest::key).distinct().count());
        assertNull(loop.failure(), "a rebalance does not stop the worker");
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
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads, Duration.ofMillis(100));
        addRecords(0, 8);
        stepUntil(() -> producer.uncommittedRecords().size() == 8, "the batch is sent in the open transaction");

        clock.addAndGet(100_000_000L); // the interval passes: the loop commits, and the commit fails
        stepUntil(producer::transactionAborted, "the unit is aborted");
        assertEquals(0, position(), "the consumer is rewound to the committed offsets");
        assertTrue(producer.history().isEmpty(), "nothing of the aborted unit is visible");

        addRecords(0, 8); // the broker delivers the same records again
        stepUntil(() -> producer.uncommittedRecords().size() == 8, "the unit is redone");
        clock.addAndGet(100_000_000L);
        stepUntil(() -> producer.commitCount() == 1, "and committed");
        assertEquals(8, producer.history().size());
        assertEquals(8, committedOffset(producer));
        assertNull(loop.failure(), "no exit on an error a rejoin resolves");
    }

    /**
     * A rebalance takes a partition the loop holds uncommitted answers of: the listener only
     * records it; after the poll the loop aborts the open unit and goes back to the committed
     * offsets of what it still owns, so nothing of the revoked partition is committed by it and
     * nothing of the kept one is answered twice.
     */
    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1})
    void aRevokedPartitionItHoldsAnswersOfAbortsTheUnitAndRewindsWhatItKeeps(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads, Duration.ofMillis(100), List.of(P0, P1));
        addRecords(P0, 0, 8);
        addRecords(P1, 0, 8);
        stepUntil(() -> producer.uncommittedRecords().size() == 16, "both partitions' batches sent in the open unit");

        consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
        stepUntil(producer::transactionAborted, "the unit is aborted after the revocation");
        assertEquals(Set.of(P0), consumer.assignment());
        assertEquals(0, position(), "the kept partition goes back to its first uncommitted input");
        assertEquals(0, loop.status().heldRecords(), "nothing of the revoked partition is held any more");

        addRecords(P0, 0, 8); // the broker delivers the kept partition's inputs again
        stepUntil(() -> producer.uncommittedRecords().size() == 8, "the kept partition is redone");
        clock.addAndGet(100_000_000L);
        stepUntil(() -> producer.commitCount() == 1, "and committed");
        assertEquals(8, producer.history().size(), "each kept input answered once, none of the revoked one's");
        assertTrue(producer.history().stream().allMatch(r -> key(r).startsWith("p0-")));
        assertEquals(Map.of(P0, new OffsetAndMetadata(8)), lastOffsets(producer));
        assertNull(loop.failure());
    }

    /** A rebalance that takes a partition it holds nothing of leaves its open unit alone. */
    @Test
    void aRevokedPartitionItHoldsNothingOfLeavesTheOpenUnitAlone() throws Exception {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, 0, Duration.ofMillis(100), List.of(P0, P1));
        addRecords(P0, 0, 8);
        stepUntil(() -> producer.uncommittedRecords().size() == 8, "P0's batch sent in the open unit");

        consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
        loop.step();
        assertEquals(Set.of(P0), consumer.assignment());
        assertFalse(producer.transactionAborted());
        clock.addAndGet(100_000_000L);
        stepUntil(() -> producer.commitCount() == 1, "the unit commits as it would have");
        assertEquals(8, producer.history().size());
        assertEquals(Map.of(P0, new OffsetAndMetadata(8)), lastOffsets(producer));
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
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        addRecords(0, 8);

        stepUntil(() -> producer.history().size() == 8, "committed once the broker answers");
        assertEquals(-1, failures.get(), "three timeouts, then the commit");
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
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        addRecords(0, 8);

        stepUntil(() -> producer.history().size() == 8, "every input answered");
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
        assertNull(loop.failure());
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aDeadLetterKafkaRefusesTooIsReplacedByAMinimalOne(int decodeThreads) throws Exception {
        // Kafka refuses any record over 1,000 bytes, as a topic with a small max.message.bytes would.
        MockProducer<byte[], byte[]> producer = refusingProducer(r -> r.value() != null && r.value().length > 1000);
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
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

        stepUntil(() -> producer.history().size() == 8, "every input answered");
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
    @ValueSource(ints = {0, 1, 3})
    void aFailedForwardPassDeadLettersTheBatchWithTheOriginalBytesAndTheWorkerGoesOn(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        engine.failing(true);
        addRecords(0, 8);
        stepUntil(() -> producer.history().size() == 8, "the batch is answered");
        assertTrue(producer.history().stream().allMatch(r -> r.topic().equals(DLQ)));
        assertArrayEquals(TestInputs.raw(3), producer.history().get(3).value());

        engine.failing(false);
        addRecords(8, 16);
        stepUntil(() -> producer.history().size() == 16, "the next batch is classified");
        assertTrue(producer.history().subList(8, 16).stream().allMatch(r -> r.topic().equals(RESULTS)));
        assertEquals(16, committedOffset(producer));
    }

    /**
     * Kafka is away: the commit keeps timing out. While it does, the worker reports itself stuck
     * with what it holds; asked to stop, it stops between retries, commits nothing and leaves.
     */
    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1})
    void whileKafkaIsAwayTheWorkerWaitsReportsItselfStuckAndStopsWhenAsked(int decodeThreads) {
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<WorkerStatus> seen = new AtomicReference<>();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                if (attempts.incrementAndGet() == 5) {
                    clock.addAndGet(Duration.ofMillis(300).toNanos());
                    seen.set(loop.status());
                    loop.stop();
                }
                throw new TimeoutException("broker away (simulated)");
            }
        };
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        addRecords(0, 8);
        WorkerLoop running = loop;
        running.runToEnd(true); // returns once stopped
        loop = null;

        WorkerStatus status = seen.get();
        assertNotNull(status, "the commit was retried at least five times");
        assertEquals(8, status.heldRecords());
        assertTrue(status.stuck(Duration.ofMillis(100)), "held and unanswered for over 100 ms: " + status);
        assertTrue(status.problem(Duration.ofMillis(100)).orElseThrow().contains("holds 8 input(s)"));
        assertFalse(status.stuck(Duration.ofMinutes(10)));
        assertEquals(5, attempts.get(), "a stop is noticed between retries");
        assertNull(running.failure(), "waiting for the broker is not a failure");
        assertTrue(producer.history().isEmpty() && producer.consumerGroupOffsetsHistory().isEmpty(), "nothing committed");
        assertTrue(consumer.closed());
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aFencedProducerStopsTheWorkerWithAFatalError(int decodeThreads) {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(new TransactionalPublisher(producer, consumer, ACKS), 8, decodeThreads);
        assertTrue(producer.transactionInitialized(), "started");
        producer.fenceProducer();
        addRecords(0, 8);
        WorkerLoop running = loop;
        loop = null;
        running.runToEnd(true); // returns once the fatal error ended it

        assertInstanceOf(FatalWorkerException.class, running.failure());
        assertTrue(producer.history().isEmpty());
        assertTrue(consumer.closed(), "the consumer leaves the group");
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void stoppingFinishesAndCommitsTheBatchInHand(int decodeThreads) {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(new TransactionalPublisher(producer, consumer, ACKS), 32, decodeThreads);
        addRecords(0, 5);
        stepUntil(() -> position() == 5, "the five are fetched and waiting for their batch");
        assertTrue(producer.history().isEmpty());

        loop.stop();
        assertFalse(loop.step(), "the loop ends after a stop");
        loop.finish();
        loop.close();
        loop = null;
        assertEquals(5, producer.history().size(), "finished instead of dropped");
        assertEquals(5, committedOffset(producer));
        assertTrue(consumer.closed());
    }

    /**
     * At-least-once: the first wait for the batch's acknowledgements runs out (the broker is slow);
     * nothing is committed then, and the next attempt awaits the same sends rather than sending again.
     */
    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void atLeastOnceCommitsNothingUntilEveryAnswerIsAcknowledgedAndSendsNothingTwice(int decodeThreads) {
        AtomicInteger slowWaits = new AtomicInteger();
        List<OffsetAndMetadata> committedDuringWait = new java.util.ArrayList<>();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
                return new SlowOnce(super.send(record), () -> {
                    slowWaits.incrementAndGet();
                    committedDuringWait.add(consumer.committed(Set.of(P0)).get(P0));
                });
            }
        };
        start(new AtLeastOncePublisher(producer, consumer, ACKS), 4, decodeThreads);
        addRecords(0, 4);

        stepUntil(() -> consumer.committed(Set.of(P0)).get(P0) != null, "committed once acknowledged");
        assertTrue(slowWaits.get() >= 1, "the first wait ran out");
        assertTrue(committedDuringWait.stream().allMatch(java.util.Objects::isNull),
                "no offsets committed while an answer was unacknowledged");
        assertEquals(4, consumer.committed(Set.of(P0)).get(P0).offset());
        assertEquals(4, producer.history().size(), "what was awaited was not sent again");
        assertEquals(4, position(), "retried in place, not rewound");
    }

    /** A send's acknowledgement that is not there at the first wait (which runs out at once) and is at the next. */
    private static final class SlowOnce implements Future<RecordMetadata> {
        private final Future<RecordMetadata> acked;
        private final Runnable onSlowWait;
        private boolean waited;

        SlowOnce(Future<RecordMetadata> acked, Runnable onSlowWait) {
            this.acked = acked;
            this.onSlowWait = onSlowWait;
        }

        @Override
        public RecordMetadata get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException,
                java.util.concurrent.TimeoutException {
            if (!waited) {
                waited = true;
                onSlowWait.run();
                throw new java.util.concurrent.TimeoutException("not acknowledged yet (simulated)");
            }
            return acked.get(timeout, unit);
        }

        @Override
        public RecordMetadata get() throws InterruptedException, ExecutionException {
            return acked.get();
        }

        @Override
        public boolean isDone() {
            return waited && acked.isDone();
        }

        @Override
        public boolean cancel(boolean interrupt) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    }

    /** The consumer's position on P0, or -1 before the loop's first poll assigned it. */
    private long position() {
        return consumer.assignment().contains(P0) ? consumer.position(P0) : -1;
    }

    private MockProducer<byte[], byte[]> transactionalProducer() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        producers.add(producer);
        return producer;
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

    private void start(BatchPublisher publisher, int maxBatch, int decodeThreads) {
        start(publisher, maxBatch, decodeThreads, Duration.ZERO);
    }

    private void start(BatchPublisher publisher, int maxBatch, int decodeThreads, Duration commitInterval) {
        start(publisher, maxBatch, decodeThreads, commitInterval, List.of(P0));
    }

    /** Builds the loop as the pool does, on the stub engine and the test clock, and starts it on {@code partitions}. */
    private void start(BatchPublisher publisher, int maxBatch, int decodeThreads, Duration commitInterval,
                       List<TopicPartition> partitions) {
        DeadLetters deadLetters = new DeadLetters(DLQ, DeadLetters.KAFKA_DEFAULT_MAX_RECORD_BYTES);
        AnswerStage answers = new AnswerStage(RESULTS, 3, deadLetters, CopiedHeaders.DEFAULT_RESULT_HEADERS,
                System::currentTimeMillis);
        StagePipeline pipeline = new StagePipeline(new DecodeStage(new ImagePreprocessor(ImageLimits.DEFAULTS), java.time.Duration.ofSeconds(2)),
                TestReleases.forward(engine, new ReviewRoute("review", 0)), answers, maxBatch, decodeThreads, "test-worker");
        WorkerMetrics metrics = TestReleases.metrics(TestReleases.simple(engine, new ReviewRoute("review", 0)));
        metrics.bindTo(registry);
        LoopSettings settings = new LoopSettings(maxBatch, Duration.ofMillis(WAIT_MS), commitInterval, maxLatency,
                Duration.ofNanos(1), Duration.ofNanos(1), clock::get, System::currentTimeMillis);
        loop = new WorkerLoop("test-worker", consumer, publisher, pipeline, answers, metrics, TOPIC, settings);
        consumer.schedulePollTask(() -> {
            consumer.rebalance(partitions);
            consumer.updateBeginningOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> 0L)));
        });
        assertTrue(loop.begin(), "the producer starts");
    }

    /** Lets the loop take steps until {@code condition} holds; fails after {@link #MAX_STEPS}. */
    private void stepUntil(BooleanSupplier condition, String what) {
        for (int i = 0; i < MAX_STEPS && !condition.getAsBoolean(); i++) {
            loop.step();
        }
        assertTrue(condition.getAsBoolean(), "not reached in " + MAX_STEPS + " steps: " + what);
    }

    private void addRecords(int from, int to) {
        consumer.schedulePollTask(() -> {
            for (int i = from; i < to; i++) {
                consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, i, ("item-" + i).getBytes(StandardCharsets.UTF_8),
                        TestInputs.raw(i)));
            }
        });
    }

    /** Adds inputs keyed {@code p<partition>-<offset>} to {@code partition}. */
    private void addRecords(TopicPartition partition, int from, int to) {
        consumer.schedulePollTask(() -> {
            for (int i = from; i < to; i++) {
                consumer.addRecord(new ConsumerRecord<>(TOPIC, partition.partition(), i,
                        ("p" + partition.partition() + "-" + i).getBytes(StandardCharsets.UTF_8), TestInputs.raw(i)));
            }
        });
    }

    private static Map<TopicPartition, OffsetAndMetadata> lastOffsets(MockProducer<byte[], byte[]> producer) {
        List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> history = producer.consumerGroupOffsetsHistory();
        assertFalse(history.isEmpty(), "no offsets were committed");
        return history.get(history.size() - 1).values().iterator().next();
    }

    private static long committedOffset(MockProducer<byte[], byte[]> producer) {
        List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> history = producer.consumerGroupOffsetsHistory();
        assertFalse(history.isEmpty(), "no offsets were committed");
        Map<TopicPartition, OffsetAndMetadata> last = history.get(history.size() - 1).values().iterator().next();
        assertNotNull(last.get(P0));
        return last.get(P0).offset();
    }

    private static List<Integer> batchSizes(MockProducer<byte[], byte[]> producer) throws Exception {
        return batchSizes(producer.history());
    }

    private static List<Integer> batchSizes(List<ProducerRecord<byte[], byte[]>> results) throws Exception {
        List<Integer> sizes = new java.util.ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : results) {
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
}
