package io.fashionstream.worker.batch;

import java.time.Duration;
import java.util.Arrays;

/**
 * An answer's latency objective ({@code --max-latency-ms}) and what it asks of one worker thread,
 * from the {@link BatchCosts} it measured. An input's clock starts at its record's timestamp when
 * that is earlier than reading it (time spent in Kafka counts): a late input makes its batch due at
 * once. For the commit, a record already older than the budget starts its clock when read: it is a
 * backlog, which is committed with full intervals rather than one batch at a time. Of the
 * objective, {@link #HEADROOM} is kept for what the worker does not time (the broker making a
 * commit visible, the reader, a collector pause); the rest, the budget, must hold:
 * <ul>
 *   <li>the wait for the batch to fill, two batch passes (the batch's own, and the one ahead of it
 *       in the pipeline) and a commit: so a batch is due, at the latest, when its oldest input
 *       has waited the budget less those at the batch's present size ({@link #waitLimitNanos}: a
 *       trickle waits longer than a batch that has filled), and a batch is never larger
 *       than what keeps two passes and a commit within the budget ({@link #batchLimit}) — the
 *       largest batch that keeps the objective when the input queues, what Triton's delayed
 *       batcher and Beam's adaptive {@code BatchElements} size by, with the objective they lack;</li>
 *   <li>the commit: a unit commits, at the latest, when its oldest input's budget less one commit
 *       has passed ({@link #commitByNanos}).</li>
 * </ul>
 * The costs are averages, and a busy machine makes some batches and commits slower than that: so
 * the worker also watches how late each unit's commit came against the plan (its oldest input's
 * age when the commit returned, less what the plan allowed) and commits earlier by the latest
 * units' 90th percentile of that lateness ({@link #slackNanos}; at most {@link #MAX_SLACK_SHARE}
 * of the budget): on a quiet machine almost nothing, near saturation on a shared one what its
 * tail needs. Of a unit whose answers came after its commit was due, only what its commit took
 * beyond one commit counts: the rest is the input queueing for the forward pass, which no
 * earlier commit helps (counted, it made every batch a commit of its own, and the worker
 * thread's time in commits kept the queue from draining). The slack leaves the batch limits as
 * they are: smaller batches cost more per input, and near saturation that would queue the input
 * and make the units later still (a bench run that shrank the limits too missed the objective
 * from 30% load up).
 * Between due batches the worker thread starts what has come as soon as the batch ahead has its
 * answers ({@code WorkerLoop}), so that a commit does not leave the forward pass idle.
 * {@code --max-batch}, {@code --max-wait-ms} and {@code --commit-interval-ms} stay the upper
 * limits. Until the first batches are measured, batches hold at most {@link #FIRST_BATCH_LIMIT}.
 * Not thread-safe: one worker thread owns it.
 */
public final class LatencyObjective {
    /**
     * Share of the objective kept for what the worker does not time (the commit made visible, the
     * reader's fetch). In bench runs of the objective setting alone the answers' p99 at 90% load
     * ran up to 20 ms past the budget: a fifth left no margin, a quarter kept one.
     */
    static final double HEADROOM = 0.25;
    /** The most inputs of a batch before any batch was measured. */
    static final int FIRST_BATCH_LIMIT = 16;
    /** How many of the latest units' lateness the slack is taken from. */
    static final int LATENESS_WINDOW = 40;
    /** Which of them, from the latest: the 4th of 40 is their 90th percentile. */
    static final int LATENESS_RANK = 4;
    /** The most of the budget the slack takes: a burst of late units must not make each batch a commit of its own. */
    static final double MAX_SLACK_SHARE = 0.5;

    private final long objectiveNanos;
    private final long budgetNanos;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BatchCosts costs;
    /** The latest units' lateness against the plan, a ring. */
    private final long[] lateness = new long[LATENESS_WINDOW];
    private int latenessSeen;
    private int nextLateness;
    /** Read by the metrics' thread. */
    private volatile long slackNanos;

    /**
     * @param objective the answer's latency objective
     * @param maxBatch  the configured most inputs of a batch
     * @param maxWait   the configured longest wait for a batch to fill
     */
    public LatencyObjective(Duration objective, int maxBatch, Duration maxWait, BatchCosts costs) {
        if (objective.isNegative() || objective.isZero()) {
            throw new IllegalArgumentException("a latency objective must be positive, not " + objective);
        }
        this.objectiveNanos = objective.toNanos();
        this.budgetNanos = (long) (objectiveNanos * (1 - HEADROOM));
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.costs = costs;
    }

    public BatchCosts costs() {
        return costs;
    }

    /**
     * When an input's wait started, on the {@code nowNanos} clock: its record's timestamp
     * ({@code timestampMillis}, -1 if none) when earlier than now, else now. An input that is late
     * already (held up by a pause upstream) makes its batch due at once rather than waiting anew.
     */
    public long waitClockNanos(long timestampMillis, long nowNanos, long nowMillis) {
        long ageNanos = ageNanos(timestampMillis, nowMillis);
        return ageNanos > 0 ? nowNanos - ageNanos : nowNanos;
    }

    /**
     * When an input's clock started for its unit's commit: as {@link #waitClockNanos} within the
     * budget, else when it is read: a record already older than the budget is a backlog, committed
     * with the units of a full commit interval rather than one batch at a time.
     */
    public long commitClockNanos(long timestampMillis, long nowNanos, long nowMillis) {
        long ageNanos = ageNanos(timestampMillis, nowMillis);
        return ageNanos > 0 && ageNanos < budgetNanos ? nowNanos - ageNanos : nowNanos;
    }

    private static long ageNanos(long timestampMillis, long nowMillis) {
        return timestampMillis < 0 ? 0 : (nowMillis - timestampMillis) * 1_000_000L;
    }

    /** The largest batch whose two passes and a commit fit in the budget; at least 1, at most the configured one. */
    public int batchLimit() {
        if (!costs.known()) {
            return Math.min(maxBatch, FIRST_BATCH_LIMIT);
        }
        int low = 1;
        int high = maxBatch;
        while (low < high) { // the cost grows with the size: the largest size that fits
            int mid = (low + high + 1) >>> 1;
            if (fixedNanos(mid) <= budgetNanos) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /** How long the oldest input of a batch of {@code size} may wait for more: the budget less two passes and a commit. */
    public long waitLimitNanos(int size) {
        return Math.max(0, Math.min(maxWaitNanos, budgetNanos - fixedNanos(size)));
    }

    /** When a unit whose oldest input arrived at {@code oldestArrivalNanos} must commit at the latest. */
    public long commitByNanos(long oldestArrivalNanos) {
        return oldestArrivalNanos + plannedNanos() - (long) costs.commitNanos();
    }

    /**
     * A unit whose oldest input arrived at {@code oldestArrivalNanos} (its commit clock), and whose
     * first answers were sent at {@code firstAnswersNanos}, finished committing at
     * {@code committedNanos}: how late that was against the plan sets the slack. A unit whose
     * answers came after its commit was due could have been visible one commit after them at the
     * earliest; only what came on top of that counts. The rest is the input queueing for the
     * forward pass, which committing earlier cannot help: it would make every batch a commit of
     * its own, and near saturation the worker thread's time in commits would queue the input more.
     */
    public void observeCommitted(long oldestArrivalNanos, long firstAnswersNanos, long committedNanos) {
        long plannedEnd = Math.max(oldestArrivalNanos + plannedNanos(), firstAnswersNanos + (long) costs.commitNanos());
        lateness[nextLateness] = committedNanos - plannedEnd;
        nextLateness = (nextLateness + 1) % LATENESS_WINDOW;
        latenessSeen = Math.min(latenessSeen + 1, LATENESS_WINDOW);
        long[] latest = Arrays.copyOf(lateness, latenessSeen);
        Arrays.sort(latest);
        // Until there are a few, none: a fresh worker's first commits pay one-time costs
        long late = latest.length < LATENESS_RANK ? 0 : latest[latest.length - LATENESS_RANK];
        // Each lateness is against the plan of its time, the slack then already taken off: what a
        // busy machine adds to a plan, whatever the plan was, so it is the slack itself.
        slackNanos = Math.max(0, Math.min((long) (budgetNanos * MAX_SLACK_SHARE), late));
    }

    /** What the plan keeps back, on top of the headroom, for the lateness of the latest units; thread-safe. */
    public long slackNanos() {
        return slackNanos;
    }

    /** The objective itself. */
    public Duration objective() {
        return Duration.ofNanos(objectiveNanos);
    }

    /** The budget less the slack: what a unit's commit is planned to fit. */
    private long plannedNanos() {
        return budgetNanos - slackNanos;
    }

    private long fixedNanos(int size) {
        return (long) (2 * costs.batchNanos(size) + costs.commitNanos());
    }
}
