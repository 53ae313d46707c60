package io.fashionstream.worker.kafka;

import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.inference.FashionClassifier;
import io.fashionstream.worker.metrics.WorkerMetrics;
import io.fashionstream.worker.pipeline.BatchClassifier;
import io.fashionstream.worker.testing.TestInputs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
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
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

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
    private static final long WAIT_MS = 50;
    private static FashionClassifier network;

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final AtomicLong clock = new AtomicLong();
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
        start(producer, new TransactionalPublisher(producer, consumer), 32, decodeThreads);
        addRecords(0, 70);

        await(() -> producer.history().size() == 64, "two full batches");
        assertEquals(2, producer.commitCount());
        assertEquals(64, committedOffset(producer), "offsets travel in the transaction");
        assertEquals(List.of(32), batchSizes(producer).stream().distinct().toList());

        clock.addAndGet(WAIT_MS * 1_000_000); // the rest waits no longer than the max wait
        await(() -> producer.history().size() == 70, "the partial batch after the max wait");
        assertEquals(70, committedOffset(producer));
        assertEquals(6, batchSizes(producer).get(69));
        assertInputOrder(producer);
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void anAbortableErrorAbortsAndRewindsToTheLastCommit(int decodeThreads) throws Exception {
        AtomicInteger failures = new AtomicInteger(1);
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                if (failures.getAndDecrement() > 0) {
                    throw new KafkaException("coordinator moved (simulated)");
                }
                super.commitTransaction();
            }
        };
        start(producer, new TransactionalPublisher(producer, consumer), 8, decodeThreads);
        addRecords(0, 8);

        await(producer::transactionAborted, "the failed batch is aborted");
        await(() -> position() == 0, "the consumer is rewound to the batch's first offset");
        assertTrue(producer.history().isEmpty(), "nothing of the aborted batch is visible");

        addRecords(0, 8); // the broker delivers the same records again
        await(() -> producer.history().size() == 8, "the batch is redone");
        assertEquals(8, committedOffset(producer));
        assertEquals(8, producer.history().stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).distinct().count());
        assertTrue(thread.isAlive(), "an abortable error does not stop the worker");
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3})
    void aFencedProducerStopsTheWorkerWithAFatalError(int decodeThreads) throws Exception {
        MockProducer<byte[], byte[]> producer = transactionalProducer();
        start(producer, new TransactionalPublisher(producer, consumer), 8, decodeThreads);
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
        start(producer, new TransactionalPublisher(producer, consumer), 32, decodeThreads);
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
    void atLeastOnceCommitsNothingWhenASendFailsAndRedoesTheBatch(int decodeThreads) throws Exception {
        AtomicInteger failures = new AtomicInteger(1);
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized void flush() {
                if (failures.getAndDecrement() > 0) {
                    errorNext(new KafkaException("not acknowledged (simulated)"));
                }
                super.flush();
            }
        };
        start(producer, new AtLeastOncePublisher(producer, consumer), 4, decodeThreads);
        addRecords(0, 4);

        await(() -> position() == 0 && producer.history().size() == 4, "rewound after the failed send");
        assertNull(consumer.committed(Set.of(P0)).get(P0), "no offsets committed for an unacknowledged batch");

        addRecords(0, 4);
        await(() -> consumer.committed(Set.of(P0)).get(P0) != null, "committed once acknowledged");
        assertEquals(4, consumer.committed(Set.of(P0)).get(P0).offset());
    }

    /** The consumer's position on P0, or -1 before the loop's first poll assigned it. */
    private long position() {
        return consumer.assignment().contains(P0) ? consumer.position(P0) : -1;
    }

    private MockProducer<byte[], byte[]> transactionalProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void start(MockProducer<byte[], byte[]> producer, BatchPublisher publisher, int maxBatch, int decodeThreads) {
        BatchClassifier batches = new BatchClassifier(network, new ImagePreprocessor(ImageLimits.DEFAULTS), "simple",
                "v1", "catalog-labels", "catalog-images.dlq", maxBatch, System::currentTimeMillis);
        WorkerMetrics metrics = new WorkerMetrics("simple", "v1", 0.9);
        metrics.bindTo(new SimpleMeterRegistry());
        loop = new WorkerLoop("test-worker", consumer, publisher, batches, decodeThreads, metrics, TOPIC, maxBatch,
                Duration.ofMillis(WAIT_MS), clock::get, System::currentTimeMillis);
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

    private static void assertInputOrder(MockProducer<byte[], byte[]> producer) throws Exception {
        long previous = -1;
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            long offset = io.fashionstream.core.Json.MAPPER.readTree(r.value()).get("offset").asLong();
            assertTrue(offset > previous, "results in input order");
            previous = offset;
        }
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
