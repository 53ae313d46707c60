package io.fashionstream.worker.batch;

/**
 * What batches cost on one worker thread, learned from the ones it ran: the time from a batch's
 * start to its answers (decoding, the forward passes, building the answers) as {@code a + b·n} in
 * its size n, fitted by least squares in which each batch weighs {@link #DECAY} of the one after
 * it (so the fit follows a model switch or a busier machine within a few dozen batches), and the
 * time to commit a unit, a moving average. Where every batch had one size so far the cost is taken
 * as proportional to the size, which overstates larger batches: the safe side for a latency
 * objective. A worker thread's first batch and first commit are not counted: they pay one-time
 * costs (buffers allocated, code compiled, the transaction's partitions verified) which, taken as
 * the going rate, would shrink the batches that follow. Later, one observation counts at most
 * {@link #OUTLIER_FACTOR} times what was predicted, so that a collector pause moves the estimates
 * without taking over. Not thread-safe: the worker thread owns it.
 */
public final class BatchCosts {
    /** Weight of the batches before, against the newest one. */
    static final double DECAY = 0.97;
    /** Weight of a new commit's duration in the average. */
    static final double COMMIT_WEIGHT = 0.2;
    /** The most one observation counts, as a multiple of what was predicted for it. */
    static final double OUTLIER_FACTOR = 4;

    private boolean firstBatchSeen;
    private boolean firstCommitSeen;
    private double weight;
    private double sumSize;
    private double sumNanos;
    private double sumSizeSquared;
    private double sumSizeNanos;
    private double commitNanos = -1;

    /** A batch of {@code size} inputs took {@code nanos} from its start to its answers. */
    public void observeBatch(int size, long nanos) {
        if (size < 1 || nanos < 0) {
            return;
        }
        if (!firstBatchSeen) {
            firstBatchSeen = true;
            return;
        }
        double counted = known() ? Math.min(nanos, OUTLIER_FACTOR * batchNanos(size)) : nanos;
        weight = weight * DECAY + 1;
        sumSize = sumSize * DECAY + size;
        sumNanos = sumNanos * DECAY + counted;
        sumSizeSquared = sumSizeSquared * DECAY + (double) size * size;
        sumSizeNanos = sumSizeNanos * DECAY + size * counted;
    }

    /** Committing a unit took {@code nanos}. */
    public void observeCommit(long nanos) {
        if (!firstCommitSeen) {
            firstCommitSeen = true;
            return;
        }
        commitNanos = commitNanos < 0 ? nanos
                : (1 - COMMIT_WEIGHT) * commitNanos + COMMIT_WEIGHT * Math.min(nanos, OUTLIER_FACTOR * commitNanos);
    }

    /** Whether any batch has been counted. */
    public boolean known() {
        return weight > 0;
    }

    /** Predicted time from start to answers of a batch of {@code size}; 0 before any batch was seen. */
    public double batchNanos(int size) {
        if (!known()) {
            return 0;
        }
        double meanSize = sumSize / weight;
        double meanNanos = sumNanos / weight;
        double sizeVariance = sumSizeSquared / weight - meanSize * meanSize;
        double slope = sizeVariance < 0.5 ? 0 : (sumSizeNanos / weight - meanSize * meanNanos) / sizeVariance;
        if (slope <= 0) {
            return meanNanos * size / meanSize; // one size seen (or noise): proportional
        }
        double intercept = meanNanos - slope * meanSize;
        return Math.max(0, intercept) + slope * size;
    }

    /** Predicted time to commit a unit; 0 before any commit was seen. */
    public double commitNanos() {
        return Math.max(0, commitNanos);
    }
}
