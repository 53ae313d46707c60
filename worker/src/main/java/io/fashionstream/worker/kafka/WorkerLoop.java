package io.fashionstream.worker.kafka;

import io.fashionstream.worker.batch.MicroBatch;
import io.fashionstream.worker.metrics.WorkerMetrics;
import io.fashionstream.worker.pipeline.BatchClassifier;
import io.fashionstream.worker.pipeline.BatchDecoder;
import io.fashionstream.worker.pipeline.BatchOutput;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * One worker thread: poll → micro-batch → decode → classify → publish and commit, until stopped.
 * Decoding is pipelined: when a batch is due it is handed to the {@link BatchDecoder}, and the
 * previous batch runs through the network and is published while it decodes. A batch is never
 * held back waiting for the next one: when no other batch is due, it runs at once.
 * Errors are sorted the way Kafka's {@code ExactlyOnceMessageProcessor} sorts them: poison
 * inputs are dead-lettered by the {@link BatchClassifier} and never reach this level; an
 * abortable Kafka error aborts the batch and rewinds to the committed offsets; a fatal one
 * (fenced, not authorised) ends the thread with a {@link FatalWorkerException}.
 */
public final class WorkerLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(WorkerLoop.class);
    /** Poll timeout while no batch is waiting: how soon a stop request is noticed at the latest. */
    static final long IDLE_POLL_MS = 200;
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final Consumer<byte[], byte[]> consumer;
    private final BatchPublisher publisher;
    private final BatchClassifier classifier;
    private final BatchDecoder decoder;
    private final WorkerMetrics metrics;
    private final String inputTopic;
    private final MicroBatch<ConsumerRecord<byte[], byte[]>> batch;
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> fetched = new ArrayDeque<>();
    private final LongSupplier nanoClock;
    private final LongSupplier wallClockMillis;

    /** The batch being decoded (or decoded) and not yet classified; at most one. */
    private BatchDecoder.Pending inFlight;

    private volatile boolean stopRequested;
    private volatile boolean assigned;
    private volatile Throwable failure;

    WorkerLoop(String name, Consumer<byte[], byte[]> consumer, BatchPublisher publisher, BatchClassifier classifier,
               int decodeThreads, WorkerMetrics metrics, String inputTopic, int maxBatch, Duration maxWait,
               LongSupplier nanoClock, LongSupplier wallClockMillis) {
        this.name = name;
        this.consumer = consumer;
        this.publisher = publisher;
        this.classifier = classifier;
        this.decoder = new BatchDecoder(classifier, decodeThreads, "decode-" + name); // Linux keeps 15 characters of a name
        this.metrics = metrics;
        this.inputTopic = inputTopic;
        this.batch = new MicroBatch<>(maxBatch, maxWait.toMillis());
        this.nanoClock = nanoClock;
        this.wallClockMillis = wallClockMillis;
    }

    @Override
    public void run() {
        try {
            publisher.start();
            consumer.subscribe(List.of(inputTopic), new Rebalance());
            while (!stopRequested) {
                pollOnce();
                runDueBatches();
            }
            // Graceful stop: what was fetched is finished and committed before the group is left.
            drainEverything();
            log.info("{}: stopped after committing its last batch", name);
        } catch (FatalWorkerException e) {
            failure = e;
            log.error("{}: {}", name, e.getMessage());
        } catch (RuntimeException | Error e) {
            failure = e;
            log.error("{}: stopped by an unexpected error", name, e);
        } finally {
            closeQuietly();
        }
    }

    /**
     * Asks the loop to finish its batch, commit and leave; returns at once. Thread-safe. The loop
     * notices within one short poll ({@link #IDLE_POLL_MS}); no {@code wakeup()}, which could
     * interrupt a commit half-way.
     */
    public void stop() {
        stopRequested = true;
    }

    /** Whether the consumer has been given partitions (joined its group) at least once. */
    public boolean hasJoined() {
        return assigned;
    }

    /** Why the loop ended abnormally, or null. */
    public Throwable failure() {
        return failure;
    }

    public String name() {
        return name;
    }

    private void pollOnce() {
        if (!fetched.isEmpty() && batch.isFull()) {
            return;
        }
        long waitMs = fetched.isEmpty() && inFlight == null
                ? Math.min(IDLE_POLL_MS, batch.millisUntilDue(nanoClock.getAsLong(), IDLE_POLL_MS)) : 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(waitMs))) {
            fetched.add(record);
        }
    }

    /**
     * Runs every due batch, each one's forward pass overlapped with the next one's decoding. Tops
     * up from the consumer (without blocking) between batches, so a flood keeps the overlap going.
     */
    private void runDueBatches() {
        while (true) {
            if (inFlight != null && !stopRequested && fetched.size() < batch.capacityLeft()) {
                pollOnce();
            }
            fillBatch();
            boolean due = batch.isReady(nanoClock.getAsLong());
            if (!due && inFlight == null) {
                return;
            }
            advance(due ? batch.drain() : null);
        }
    }

    /** Starts decoding {@code next} (null: nothing more is due) and runs the batch decoded before it, if any. */
    private void advance(List<ConsumerRecord<byte[], byte[]>> next) {
        BatchDecoder.Pending decoded = inFlight;
        inFlight = next == null ? null : decoder.start(next);
        if (decoded != null) {
            runBatch(decoded);
        }
    }

    private void fillBatch() {
        while (!fetched.isEmpty() && !batch.isFull()) {
            batch.add(fetched.poll(), nanoClock.getAsLong());
        }
    }

    /** Runs everything decoding or fetched, due or not: on stop and before partitions are revoked. */
    private void drainEverything() {
        while (inFlight != null || !batch.isEmpty() || !fetched.isEmpty()) {
            fillBatch();
            advance(batch.isEmpty() ? null : batch.drain());
        }
    }

    private void runBatch(BatchDecoder.Pending decoded) {
        List<ConsumerRecord<byte[], byte[]>> records = decoded.records();
        BatchOutput output;
        try {
            output = classifier.classify(decoded.await());
        } finally {
            decoded.release();
        }
        try {
            publisher.publish(output.records(), nextOffsets(records));
            metrics.recordPublished(output, wallClockMillis.getAsLong());
        } catch (ProducerFencedException | OutOfOrderSequenceException | FencedInstanceIdException
                 | AuthenticationException | AuthorizationException | UnsupportedVersionException e) {
            throw new FatalWorkerException(fatalMessage(e), e);
        } catch (KafkaException e) {
            abortAndRewind(records, e);
        }
    }

    private String fatalMessage(KafkaException e) {
        String what = e instanceof ProducerFencedException
                ? "another producer with the same transactional id took over (two workers share one --transactional-id-prefix?)"
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return "fatal Kafka error, stopping: " + what;
    }

    private void abortAndRewind(List<ConsumerRecord<byte[], byte[]>> failed, RuntimeException cause) {
        log.warn("{}: batch of {} aborted, rewinding to the committed offsets: {}", name, failed.size(), cause.toString());
        try {
            publisher.abort();
        } catch (ProducerFencedException | AuthorizationException | AuthenticationException e) {
            throw new FatalWorkerException(fatalMessage(e), e);
        } catch (KafkaException e) {
            throw new FatalWorkerException("cannot abort the transaction: " + e, e);
        }
        Map<TopicPartition, Long> firstHeld = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> decoding = discardInFlight();
        for (List<ConsumerRecord<byte[], byte[]>> held : List.of(failed, decoding, List.copyOf(fetched), batch.drain())) {
            for (ConsumerRecord<byte[], byte[]> r : held) {
                firstHeld.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
            }
        }
        fetched.clear();
        Set<TopicPartition> assignment = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assignment);
        for (TopicPartition tp : assignment) {
            OffsetAndMetadata c = committed.get(tp);
            if (c != null) {
                consumer.seek(tp, c);
            } else if (firstHeld.containsKey(tp)) {
                consumer.seek(tp, firstHeld.get(tp));
            }
        }
    }

    /** Drops the batch being decoded, if any, and returns its records. */
    private List<ConsumerRecord<byte[], byte[]>> discardInFlight() {
        if (inFlight == null) {
            return List.of();
        }
        BatchDecoder.Pending dropped = inFlight;
        inFlight = null;
        dropped.release();
        return dropped.records();
    }

    /** The offsets to commit after {@code records}: one past the last record of each partition. */
    static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }

    private void closeQuietly() {
        decoder.close();
        try {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        } catch (RuntimeException e) {
            log.warn("{}: consumer did not close cleanly: {}", name, e.toString());
        }
        try {
            publisher.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("{}: producer did not close cleanly: {}", name, e.toString());
        }
    }

    /** Keeps or finishes the records of partitions this consumer is about to lose. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || failure != null) {
                return;
            }
            // Still the owner, so the batch in hand can be committed now rather than redone elsewhere.
            drainEverything();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // No longer the owner and too late to commit: drop what we hold of them; the new owner redoes it.
            Set<TopicPartition> lost = new HashSet<>(partitions);
            List<ConsumerRecord<byte[], byte[]>> kept = new ArrayList<>();
            for (List<ConsumerRecord<byte[], byte[]>> held : List.of(discardInFlight(), batch.drain())) {
                for (ConsumerRecord<byte[], byte[]> r : held) {
                    if (!lost.contains(new TopicPartition(r.topic(), r.partition()))) {
                        kept.add(r);
                    }
                }
            }
            fetched.removeIf(r -> lost.contains(new TopicPartition(r.topic(), r.partition())));
            // What was decoding goes back in front of what was fetched, in order, to be decoded again.
            for (int i = kept.size() - 1; i >= 0; i--) {
                fetched.addFirst(kept.get(i));
            }
            fillBatch();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned = true;
        }
    }
}
