package io.fashionstream.worker.kafka;

import io.fashionstream.worker.batch.AnswerStage;
import io.fashionstream.worker.batch.BatchAnswers;
import io.fashionstream.worker.batch.BatchCosts;
import io.fashionstream.worker.batch.LatencyObjective;
import io.fashionstream.worker.batch.MicroBatch;
import io.fashionstream.worker.batch.StagePipeline;
import io.fashionstream.worker.metrics.WorkerMetrics;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * One worker thread. A batch passes the stages in order, each handing its value to the next:
 * {@link PollStage} (records) → {@link MicroBatch} (a due batch) → {@link StagePipeline}: decode
 * → forward pass → answers ({@link BatchAnswers}) → {@link CommitStage} (publish and commit,
 * giving a {@link CommitResult}). The loop owns the order and acts on what comes back at points
 * where it holds nothing half-done: a {@link CommitResult}, and the {@link PartitionChanges} its
 * poll stage recorded during a rebalance. Decoding and the forward pass are pipelined: while one
 * batch is in the network the next is decoding and this thread publishes and polls. A batch is
 * never held back waiting for the next one: when no other batch is due, it runs at once. Under a
 * {@link LatencyObjective} the batch's size and wait, and the commit, follow what it measured.
 * Errors are sorted the way Kafka's {@code ExactlyOnceMessageProcessor} sorts them: poison inputs
 * are dead-lettered by the answer stage; what Kafka refuses to take is isolated and dead-lettered,
 * and transient errors are waited out, by the commit stage; a rebalance rewinds to the committed
 * offsets; a fatal error (fenced, not authorised) ends the thread with a {@link FatalWorkerException}.
 */
public final class WorkerLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(WorkerLoop.class);
    /** Poll timeout while no batch is waiting: how soon a stop request is noticed at the latest. */
    static final long IDLE_POLL_MS = 200;
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final Consumer<byte[], byte[]> consumer;
    private final BatchPublisher publisher;
    private final PollStage poll;
    private final MicroBatch<ConsumerRecord<byte[], byte[]>> batch;
    /**
     * While images by reference are coming, the loop reads this many records beyond the batch being
     * filled, eight batches' worth, so that their fetches run while earlier batches decode.
     */
    private final int prefetchAhead;
    /** Whether the last records read held images by reference. */
    private boolean fetchingAhead;
    private final StagePipeline pipeline;
    private final CommitStage commit;
    private final RetryPolicy retry;
    private final WorkerMetrics metrics;
    private final String inputTopic;
    private final LongSupplier nanoClock;
    private final LongSupplier wallClockMillis;
    /** The latency objective, or null. */
    private final LatencyObjective objective;

    /** The batch in the pipeline, not yet published; at most one. */
    private StagePipeline.InFlight inFlight;
    /** When the oldest input of the batch in the pipeline arrived, on the commit's clock. */
    private long inFlightArrivalNanos;
    /** The same for the batch being filled ({@link LatencyObjective#commitClockNanos}). */
    private long fillingArrivalNanos = Long.MAX_VALUE;
    /** The batch's size and wait triggers now, for the gauges: the configured ones, or the objective's. */
    private volatile int sizeLimit;
    private volatile long waitLimitNanos;
    /** Inputs of the batch being published. */
    private int publishing;

    private volatile boolean stopRequested;
    /** Asked to stop while waiting for Kafka: what is held is left uncommitted, for the next owner to redo. */
    private boolean abandoned;
    private volatile Throwable failure;
    private final ProgressTracker progress;

    /**
     * @param pipeline the decode, forward-pass and answer stages (closed with the loop)
     * @param answers  the answer stage, which the commit stage asks for what replaces a refused answer
     */
    WorkerLoop(String name, Consumer<byte[], byte[]> consumer, BatchPublisher publisher, StagePipeline pipeline,
               AnswerStage answers, WorkerMetrics metrics, String inputTopic, LoopSettings settings) {
        this.name = name;
        this.consumer = consumer;
        this.publisher = publisher;
        this.poll = new PollStage(name, consumer);
        this.batch = new MicroBatch<>(settings.maxBatch(), settings.maxWait().toMillis());
        this.prefetchAhead = 8 * settings.maxBatch();
        this.pipeline = pipeline;
        Backoff backoff = new Backoff(() -> stopRequested, settings.firstBackoff(), settings.backoffCap());
        this.retry = new RetryPolicy(name, backoff);
        this.nanoClock = settings.nanoClock();
        this.wallClockMillis = settings.wallClockMillis();
        this.objective = settings.maxLatency().isZero() ? null
                : new LatencyObjective(settings.maxLatency(), settings.maxBatch(), settings.maxWait(), new BatchCosts());
        this.sizeLimit = settings.maxBatch();
        this.waitLimitNanos = settings.maxWait().toNanos();
        this.progress = new ProgressTracker(nanoClock);
        this.commit = new CommitStage(name, publisher, answers, retry, backoff, settings.commitInterval(), nanoClock,
                part -> {
                    metrics.recordAnswered(part, settings.wallClockMillis().getAsLong());
                    this.progress.progressed();
                }, objective);
        this.metrics = metrics;
        this.inputTopic = inputTopic;
    }

    @Override
    public void run() {
        runToEnd(false);
    }

    /** Runs the loop until it ends, then closes it; {@code begun}: {@link #begin} was called already. */
    void runToEnd(boolean begun) {
        try {
            if (begun || begin()) {
                while (step()) {
                    // each step polls, runs what is due and commits what is due
                }
                finish();
            }
        } catch (RuntimeException | Error e) {
            endWith(e);
        } finally {
            close();
        }
    }

    /** Starts the producer and subscribes; false when asked to stop meanwhile. */
    boolean begin() {
        if (!startPublisher()) {
            return false;
        }
        poll.subscribe(inputTopic);
        return true;
    }

    /** One turn of the loop: poll, run the due batches, commit if due. False once the loop should end. */
    boolean step() {
        pollOnce();
        runDueBatches();
        act(commit.commitIfDue());
        updateStatus();
        return !stopRequested && !abandoned;
    }

    /** After the last step: a graceful stop finishes and commits what was fetched before the group is left. */
    void finish() {
        if (!abandoned) {
            drainEverything();
        }
        log.info(abandoned ? "{}: stopped while waiting for Kafka; what it had not committed will be redone"
                : "{}: stopped after committing its last batch", name);
    }

    /** Acts on what committing gave, at a point where the loop holds nothing half-done. */
    private void act(CommitResult result) {
        if (result instanceof CommitResult.Rewind rewind) {
            rewind(rewind.inputs(), rewind.cause());
        } else if (result instanceof CommitResult.Stopped) {
            abandoned = true;
        }
    }

    /**
     * Acts on what a rebalance took, right after the poll that saw it. Holding anything of those
     * partitions (fetched, batched, in the pipeline or sent in the open unit), the loop aborts the
     * unit and goes back to the committed offsets of what it still owns: a partition revoked and
     * given back in one rebalance restarts from its committed offset, so what was held of it would
     * otherwise be answered twice; one gone for good is its new owner's to redo.
     */
    private void act(PartitionChanges changes) {
        if (changes.isEmpty()) {
            return;
        }
        Set<TopicPartition> gone = changes.gone();
        if (!holdsAnyOf(gone)) {
            return;
        }
        List<ConsumerRecord<byte[], byte[]>> uncommitted = commit.abandonPending();
        rewind(uncommitted, new KafkaException("partitions " + (changes.lost().isEmpty() ? "revoked" : "lost")
                + " while this worker held inputs of them"));
    }

    private boolean holdsAnyOf(Set<TopicPartition> partitions) {
        Predicate<ConsumerRecord<byte[], byte[]>> ofThem = r -> partitions.contains(PollStage.partitionOf(r));
        return poll.holdsAny(ofThem) || batch.anyMatch(ofThem) || commit.pendingInputs().stream().anyMatch(ofThem)
                || (inFlight != null && inFlight.records().stream().anyMatch(ofThem));
    }

    private void endWith(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FatalWorkerException fatal) { // possibly wrapped by a client
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
        return poll.hasJoined();
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
        return poll.owned();
    }

    /** The most inputs its next batch may hold: --max-batch, or less under a latency objective; thread-safe. */
    public int batchSizeLimit() {
        return sizeLimit;
    }

    /** The longest its next batch may wait to fill, in seconds: --max-wait-ms, or less under an objective; thread-safe. */
    public double batchWaitLimitSeconds() {
        return waitLimitNanos / 1e9;
    }

    /**
     * How much earlier than its budget a unit commits, for the lateness of the latest ones, in
     * seconds; 0 without an objective; thread-safe.
     */
    public double commitSlackSeconds() {
        return objective == null ? 0 : objective.slackNanos() / 1e9;
    }

    /** How the thread is doing, for health checks and metrics; thread-safe. */
    public WorkerStatus status() {
        return progress.status(name, poll.hasJoined(), failure);
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
        if (!poll.isEmpty() && batch.isFull() && !readingAhead()) {
            return;
        }
        long waitMs = poll.isEmpty() && inFlight == null
                ? Math.min(commit.millisUntilDue(IDLE_POLL_MS), batch.millisUntilDue(nanoClock.getAsLong(), IDLE_POLL_MS))
                : 0;
        // Images by reference start fetching as soon as they are read (each record is looked at
        // once); while they come, the loop reads on, without waiting, until it holds prefetchAhead
        // records, their fetches under way.
        boolean read = startFetches(poll.poll(waitMs));
        act(poll.takeChanges());
        while (read && readingAhead() && !stopRequested && !abandoned) {
            read = startFetches(poll.poll(0));
            act(poll.takeChanges());
        }
    }

    /** Starts fetching the references among {@code records}; says whether there were records at all. */
    private boolean startFetches(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return false; // whether references are coming is still what the last records said
        }
        fetchingAhead = pipeline.prefetch(records);
        return true;
    }

    /** Publishes what the loop holds for {@link #status()}. */
    private void updateStatus() {
        progress.held(poll.size() + batch.size() + (inFlight == null ? 0 : inFlight.records().size()) + publishing
                + commit.pendingCount(), consumer);
    }

    /**
     * Runs every due batch, each one's forward pass overlapped with the next one's decoding. Tops
     * up from the consumer (without blocking) between batches, so a flood keeps the overlap going.
     */
    private void runDueBatches() {
        while (!abandoned) {
            if (inFlight != null && shouldTopUp()) {
                pollOnce();
            }
            fillBatch();
            boolean due = batch.isReady(nanoClock.getAsLong());
            if (!due && inFlight == null) {
                return;
            }
            if (due) {
                advanceWithBatch();
            } else if (objective != null && pipeline.passesOnHelper()) {
                startEarlyOrPublish();
            } else {
                advance(null, 0);
            }
        }
    }

    /**
     * Under an objective, with a batch in flight and the next one not due: once the batch in flight
     * has its answers, what has come meanwhile starts at once, so that its forward pass runs while
     * the answers before it are published and committed, rather than the pass standing idle for the
     * commit and the inputs waiting it out.
     */
    private void startEarlyOrPublish() {
        inFlight.awaitAnswers();
        if (shouldTopUp()) {
            pollOnce();
            if (abandoned) {
                return;
            }
        }
        startWhatIsHeld();
    }

    /** Starts the batch being filled, due or not, publishing the one before it; with none, publishes that one. */
    private void startWhatIsHeld() {
        fillBatch();
        if (batch.isEmpty()) {
            advance(null, 0);
        } else {
            advanceWithBatch();
        }
    }

    /** Whether to read more before the next batch: not once asked to stop, and while it has room or references come. */
    private boolean shouldTopUp() {
        return !stopRequested && (poll.size() < batch.capacityLeft() || readingAhead());
    }

    /** Starts {@code next} in the pipeline (null: nothing more is due) and publishes the batch before it, if any. */
    private void advance(List<ConsumerRecord<byte[], byte[]>> next, long arrivalNanos) {
        StagePipeline.InFlight previous = inFlight;
        long previousArrival = inFlightArrivalNanos;
        inFlight = next == null ? null : pipeline.start(next);
        inFlightArrivalNanos = arrivalNanos;
        if (previous != null) {
            publish(previous, previousArrival);
        }
    }

    /** Starts the due batch in the pipeline, publishing the one before it. */
    private void advanceWithBatch() {
        long arrival = objective == null ? batch.firstArrivalNanos() : fillingArrivalNanos;
        fillingArrivalNanos = Long.MAX_VALUE;
        advance(batch.drain(), arrival);
    }

    /** Whether to read beyond the batch being filled: while images by reference come, up to {@link #prefetchAhead}. */
    private boolean readingAhead() {
        return fetchingAhead && poll.size() < prefetchAhead;
    }

    private void fillBatch() {
        if (objective != null) {
            sizeLimit = objective.batchLimit();
            batch.limit(sizeLimit, waitLimitNanos);
        }
        while (!poll.isEmpty() && !batch.isFull()) {
            ConsumerRecord<byte[], byte[]> record = poll.next();
            long now = nanoClock.getAsLong();
            if (objective == null) {
                batch.add(record, now);
            } else {
                long wallNow = wallClockMillis.getAsLong();
                batch.add(record, objective.waitClockNanos(record.timestamp(), now, wallNow));
                fillingArrivalNanos = Math.min(fillingArrivalNanos,
                        objective.commitClockNanos(record.timestamp(), now, wallNow));
            }
        }
        if (objective != null) {
            // The wait left shrinks as the batch grows: what the budget leaves after passes of this size.
            waitLimitNanos = objective.waitLimitNanos(Math.max(1, batch.size()));
            batch.limit(sizeLimit, waitLimitNanos);
        }
    }

    /** Runs and commits everything in the pipeline or fetched, due or not: on a graceful stop. */
    private void drainEverything() {
        while (!abandoned && (inFlight != null || !batch.isEmpty() || !poll.isEmpty())) {
            startWhatIsHeld();
        }
        if (!abandoned) {
            act(commit.commitPending());
        }
    }

    private void publish(StagePipeline.InFlight done, long arrivalNanos) {
        BatchAnswers answers;
        try {
            answers = done.answers();
        } finally {
            done.release();
        }
        metrics.recordBatch(answers);
        if (objective != null) {
            objective.costs().observeBatch(done.records().size(), answers.stageNanos());
        }
        publishing = done.records().size();
        updateStatus();
        try {
            act(commit.add(answers.answers(), arrivalNanos));
        } finally {
            publishing = 0;
        }
    }

    /** After the group moved on: drops what is held and seeks back to the committed offsets. */
    private void rewind(List<ConsumerRecord<byte[], byte[]>> failed, KafkaException cause) {
        log.warn("{}: the group moved on while it held {} uncommitted answers ({}); redoing from the committed offsets",
                name, failed.size(), KafkaErrors.describe(cause));
        Map<TopicPartition, Long> firstHeld = new HashMap<>();
        for (List<ConsumerRecord<byte[], byte[]>> held : List.of(failed, discardInFlight(), poll.clear(), batch.drain())) {
            for (ConsumerRecord<byte[], byte[]> r : held) {
                firstHeld.merge(PollStage.partitionOf(r), r.offset(), Math::min);
            }
        }
        fillingArrivalNanos = Long.MAX_VALUE;
        poll.seekBack(committedOffsets(poll.assignment()), firstHeld);
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

    /** Drops the batch in the pipeline, if any, and returns its records. */
    private List<ConsumerRecord<byte[], byte[]>> discardInFlight() {
        if (inFlight == null) {
            return List.of();
        }
        StagePipeline.InFlight dropped = inFlight;
        inFlight = null;
        dropped.release();
        return dropped.records();
    }

    /** Leaves the group and closes the clients and the pipeline; what was not committed is redone by the next owner. */
    void close() {
        progress.closed();
        pipeline.close();
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
}
