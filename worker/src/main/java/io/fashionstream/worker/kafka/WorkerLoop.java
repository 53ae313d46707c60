package io.fashionstream.worker.kafka;

import io.fashionstream.worker.batch.MicroBatch;
import io.fashionstream.worker.metrics.WorkerMetrics;
import io.fashionstream.worker.pipeline.BatchClassifier;
import io.fashionstream.worker.pipeline.BatchDecoder;
import io.fashionstream.worker.pipeline.BatchOutput;
import io.fashionstream.worker.pipeline.DeadLetters;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
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
 * Decoding and the forward pass are pipelined: when a batch is due it is handed to the
 * {@link BatchDecoder}, which decodes it and runs it through the network on helper threads while
 * this thread publishes the batch before it and polls. A batch is never held back waiting for
 * the next one: when no other batch is due, it runs at once.
 * Errors are sorted the way Kafka's {@code ExactlyOnceMessageProcessor} sorts them: poison
 * inputs are dead-lettered by the {@link BatchClassifier}; what Kafka refuses to take is isolated
 * and dead-lettered, and transient errors are waited out, by the {@link BatchCommitter}; a
 * rebalance during a commit rewinds to the committed offsets; a fatal error (fenced, not
 * authorised) ends the thread with a {@link FatalWorkerException}.
 */
public final class WorkerLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(WorkerLoop.class);
    /** Poll timeout while no batch is waiting: how soon a stop request is noticed at the latest. */
    static final long IDLE_POLL_MS = 200;
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** The consumer metric that tells whether the group coordinator (the broker) is being reached. */
    static final String HEARTBEAT_AGE_METRIC = "last-heartbeat-seconds-ago";

    private final String name;
    private final Consumer<byte[], byte[]> consumer;
    private final BatchPublisher publisher;
    private final BatchClassifier classifier;
    private final BatchDecoder decoder;
    private final BatchCommitter committer;
    private final RetryPolicy retry;
    private final WorkerMetrics metrics;
    private final String inputTopic;
    private final MicroBatch<ConsumerRecord<byte[], byte[]>> batch;
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> fetched = new ArrayDeque<>();
    private final LongSupplier nanoClock;
    private final LongSupplier wallClockMillis;

    /** The batch being decoded or classified ahead, not yet published; at most one. */
    private BatchDecoder.Pending inFlight;
    /** Inputs of the batch being classified and committed. */
    private int running;

    private volatile boolean stopRequested;
    /** Asked to stop while waiting for Kafka: what is held is left uncommitted, for the next owner to redo. */
    private boolean abandoned;
    /** Closing the consumer: a revocation now must not commit anything more (what is held is redone). */
    private boolean closing;
    private volatile boolean assigned;
    /** Input partitions this consumer owns, as of its last rebalance. */
    private volatile int ownedPartitions;
    private volatile Throwable failure;
    /** Inputs fetched and not yet answered, as of the loop's last step. */
    private volatile int held;
    /** When the loop last committed, or last had nothing left to answer. */
    private volatile long progressNanos;
    private volatile Metric heartbeatAge;

    WorkerLoop(String name, Consumer<byte[], byte[]> consumer, BatchPublisher publisher, BatchClassifier classifier,
               DeadLetters deadLetters, int decodeThreads, WorkerMetrics metrics, String inputTopic, int maxBatch,
               Duration maxWait, Duration commitInterval, LongSupplier nanoClock, LongSupplier wallClockMillis) {
        this.name = name;
        this.consumer = consumer;
        this.publisher = publisher;
        this.classifier = classifier;
        this.decoder = new BatchDecoder(classifier, decodeThreads, name);
        Backoff backoff = new Backoff(() -> stopRequested);
        this.retry = new RetryPolicy(name, backoff);
        this.committer = new BatchCommitter(name, publisher, deadLetters, retry, backoff, commitInterval, nanoClock, part -> {
            metrics.recordAnswered(part, wallClockMillis.getAsLong());
            progressNanos = System.nanoTime();
        });
        this.metrics = metrics;
        this.inputTopic = inputTopic;
        this.batch = new MicroBatch<>(maxBatch, maxWait.toMillis());
        this.nanoClock = nanoClock;
        this.wallClockMillis = wallClockMillis;
        this.progressNanos = System.nanoTime();
    }

    @Override
    public void run() {
        try {
            if (startPublisher()) {
                consumer.subscribe(List.of(inputTopic), new Rebalance());
                while (!stopRequested && !abandoned) {
                    pollOnce();
                    runDueBatches();
                    act(committer.commitIfDue());
                    updateStatus();
                }
                // Graceful stop: what was fetched is finished and committed before the group is left.
                drainEverything();
            }
            log.info(abandoned ? "{}: stopped while waiting for Kafka; what it had not committed will be redone"
                    : "{}: stopped after committing its last batch", name);
        } catch (RuntimeException | Error e) {
            endWith(e);
        } finally {
            closeQuietly();
        }
    }

    /** Acts on what committing gave, at a point where the loop holds nothing half-done. */
    private void act(CommitResult result) {
        if (result instanceof CommitResult.Rewind rewind) {
            rewind(rewind.inputs(), rewind.cause());
        } else if (result instanceof CommitResult.Stopped) {
            abandoned = true;
        }
    }

    private void endWith(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FatalWorkerException fatal) { // possibly wrapped by the consumer, from a rebalance callback
                failure = fatal;
                log.error("{}: {}", name, fatal.getMessage());
                return;
            }
        }
        failure = e;
        log.error("{}: stopped by an unexpected error", name, e);
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

    /** Input partitions its consumer owns now; thread-safe. */
    public int ownedPartitions() {
        return ownedPartitions;
    }

    /** How the thread is doing, for health checks and metrics; thread-safe. */
    public WorkerStatus status() {
        double silence = Double.NaN;
        Metric m = heartbeatAge;
        if (m != null && m.metricValue() instanceof Number seconds && seconds.doubleValue() >= 0) {
            silence = seconds.doubleValue();
        }
        return new WorkerStatus(name, assigned, held, (System.nanoTime() - progressNanos) / 1e9, silence, failure);
    }

    /**
     * Initialises the producer, waiting out a broker that is not there yet; false when asked to
     * stop meanwhile. An error other than a broker away is fatal here: nothing can be redone yet.
     */
    private boolean startPublisher() {
        RetryPolicy.Result<Void> started = retry.run("initialise its producer", publisher::start, () -> { });
        if (started instanceof RetryPolicy.Failed<Void> failed) {
            throw KafkaErrors.fatal(failed.error());
        }
        abandoned = started instanceof RetryPolicy.Stopped;
        return !abandoned;
    }

    private void pollOnce() {
        if (!fetched.isEmpty() && batch.isFull()) {
            return;
        }
        long waitMs = fetched.isEmpty() && inFlight == null
                ? Math.min(committer.millisUntilDue(IDLE_POLL_MS), batch.millisUntilDue(nanoClock.getAsLong(), IDLE_POLL_MS))
                : 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(waitMs))) {
            fetched.add(record);
        }
    }

    /** Publishes the loop's state for {@link #status()}: what it holds, and whether it is up to date. */
    private void updateStatus() {
        int now = fetched.size() + batch.size() + (inFlight == null ? 0 : inFlight.records().size()) + running
                + committer.pendingCount();
        held = now;
        if (now == 0) {
            progressNanos = System.nanoTime();
        }
        if (heartbeatAge == null) {
            heartbeatAge = findMetric(HEARTBEAT_AGE_METRIC);
        }
    }

    private Metric findMetric(String metricName) {
        for (Metric m : consumer.metrics().values()) {
            if (m.metricName().name().equals(metricName)) {
                return m;
            }
        }
        return null;
    }

    /**
     * Runs every due batch, each one's forward pass overlapped with the next one's decoding. Tops
     * up from the consumer (without blocking) between batches, so a flood keeps the overlap going.
     */
    private void runDueBatches() {
        while (!abandoned) {
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

    /** Runs and commits everything decoding or fetched, due or not: on stop and before partitions are revoked. */
    private void drainEverything() {
        while (!abandoned && (inFlight != null || !batch.isEmpty() || !fetched.isEmpty())) {
            fillBatch();
            advance(batch.isEmpty() ? null : batch.drain());
        }
        if (!abandoned) {
            act(committer.commitPending());
        }
    }

    private void runBatch(BatchDecoder.Pending decoded) {
        List<ConsumerRecord<byte[], byte[]>> records = decoded.records();
        BatchOutput output;
        try {
            output = decoded.output();
        } finally {
            decoded.release();
        }
        metrics.recordBatch(output);
        running = records.size();
        updateStatus();
        try {
            act(committer.add(output.outcomes()));
        } finally {
            running = 0;
        }
    }

    /** After the group moved on mid-commit: drops what is held and seeks back to the committed offsets. */
    private void rewind(List<ConsumerRecord<byte[], byte[]>> failed, KafkaException cause) {
        log.warn("{}: the group moved on while {} answers were committing ({}); redoing them from the committed offsets",
                name, failed.size(), KafkaErrors.describe(cause));
        Map<TopicPartition, Long> firstHeld = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> decoding = discardInFlight();
        for (List<ConsumerRecord<byte[], byte[]>> held : List.of(failed, decoding, List.copyOf(fetched), batch.drain())) {
            for (ConsumerRecord<byte[], byte[]> r : held) {
                firstHeld.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
            }
        }
        fetched.clear();
        Set<TopicPartition> assignment = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(assignment);
        for (TopicPartition tp : assignment) {
            OffsetAndMetadata c = committed.get(tp);
            if (c != null) {
                consumer.seek(tp, c);
            } else if (firstHeld.containsKey(tp)) {
                consumer.seek(tp, firstHeld.get(tp));
            }
        }
    }

    /**
     * The group's committed offsets of {@code partitions}; none (the caller then seeks to the first
     * offset it held) when the group moved on again meanwhile or a stop was asked for.
     */
    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(Set<TopicPartition> partitions) {
        RetryPolicy.Result<Map<TopicPartition, OffsetAndMetadata>> read = retry.get("read the committed offsets",
                () -> consumer.committed(partitions), () -> { });
        if (read instanceof RetryPolicy.Done<Map<TopicPartition, OffsetAndMetadata>> done) {
            return done.value();
        }
        if (read instanceof RetryPolicy.Stopped) {
            abandoned = true;
        }
        return Map.of();
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

    private void closeQuietly() {
        closing = true;
        held = 0;
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

    private static String names(Collection<TopicPartition> partitions) {
        return partitions.stream().sorted((a, b) -> a.topic().equals(b.topic())
                        ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()))
                .map(TopicPartition::toString).reduce((a, b) -> a + ", " + b).orElse("");
    }

    /** Keeps or finishes the records of partitions this consumer is about to lose, and says so once. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            ownedPartitions = Math.max(0, consumer.assignment().size() - partitions.size());
            if (partitions.isEmpty() || failure != null || closing) {
                return;
            }
            log.info("{}: {} partition(s) revoked ({}); finishing what it holds of them", name, partitions.size(),
                    names(partitions));
            // Still the owner, so the batch in hand can be committed now rather than redone elsewhere.
            drainEverything();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            ownedPartitions = Math.max(0, consumer.assignment().size() - partitions.size());
            log.warn("{}: {} partition(s) lost ({}) without a chance to commit; their next owner redoes what was in flight",
                    name, partitions.size(), names(partitions));
            List<ConsumerRecord<byte[], byte[]>> abandoned = committer.abandonPending();
            if (!abandoned.isEmpty()) {
                // Its transaction mixed lost and kept partitions: redo the kept ones from their committed offsets.
                rewind(abandoned, new KafkaException("partitions lost while " + abandoned.size() + " answers awaited their commit"));
                return;
            }
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
            if (!partitions.isEmpty() || !assigned) {
                log.info("{}: {} partition(s) assigned ({}); it now reads {}", name, partitions.size(),
                        names(partitions), consumer.assignment().size());
            }
            ownedPartitions = consumer.assignment().size();
            assigned = true;
        }
    }
}
