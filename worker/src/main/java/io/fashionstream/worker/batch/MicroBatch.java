package io.fashionstream.worker.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Gathers items into one micro-batch until it holds {@code maxBatch} of them or {@code maxWait}
 * has passed since the first arrived, in the manner of Triton's dynamic batcher: a flood fills
 * batches, a trickle is never held longer than the wait. Pure logic over a caller-supplied
 * clock (nanoseconds), so a poll loop can ask how long it may still block. A latency objective
 * narrows both triggers batch by batch ({@link #limit}). Not thread-safe: each worker thread owns one.
 */
public final class MicroBatch<T> {
    private final int maxBatch;
    private final long maxWaitNanos;
    /** The size trigger now: {@code maxBatch} unless {@link #limit} narrowed it. */
    private int sizeLimit;
    /** The wait trigger now: {@code maxWait} unless {@link #limit} narrowed it. */
    private long waitNanos;
    private final List<T> items;
    private long firstArrivalNanos;

    public MicroBatch(int maxBatch, long maxWaitMillis) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1, not " + maxBatch);
        }
        if (maxWaitMillis < 0) {
            throw new IllegalArgumentException("max wait must not be negative, not " + maxWaitMillis);
        }
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWaitMillis * 1_000_000L;
        this.sizeLimit = maxBatch;
        this.waitNanos = maxWaitNanos;
        this.items = new ArrayList<>(maxBatch);
    }

    /** Narrows the triggers, within the configured ones, until the next call: a batch due at {@code size} or {@code waitNanos}. */
    public void limit(int size, long waitNanos) {
        this.sizeLimit = Math.max(1, Math.min(maxBatch, size));
        this.waitNanos = Math.max(0, Math.min(maxWaitNanos, waitNanos));
    }

    /**
     * Adds an item that arrived at {@code arrivalNanos}; the earliest arrival starts the wait clock.
     * The caller must not add to a full batch.
     */
    public void add(T item, long arrivalNanos) {
        if (isFull()) {
            throw new IllegalStateException("batch is full (" + sizeLimit + "); drain it first");
        }
        firstArrivalNanos = items.isEmpty() ? arrivalNanos : Math.min(firstArrivalNanos, arrivalNanos);
        items.add(item);
    }

    /** When its earliest item arrived; meaningless while empty. */
    public long firstArrivalNanos() {
        return firstArrivalNanos;
    }

    /** Room left before the size trigger fires. */
    public int capacityLeft() {
        return Math.max(0, sizeLimit - items.size());
    }

    public boolean isFull() {
        return items.size() >= sizeLimit;
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    public int size() {
        return items.size();
    }

    /** Whether the batch should run now: full, or non-empty and its oldest item has waited long enough. */
    public boolean isReady(long nowNanos) {
        return isFull() || (!items.isEmpty() && nowNanos - firstArrivalNanos >= waitNanos);
    }

    /**
     * How long a poll may block before the batch is due: the time left of the max wait, zero when
     * it is ready, and {@code idleMillis} when empty (nothing is waiting).
     */
    public long millisUntilDue(long nowNanos, long idleMillis) {
        if (items.isEmpty()) {
            return idleMillis;
        }
        if (isReady(nowNanos)) {
            return 0;
        }
        long leftNanos = waitNanos - (nowNanos - firstArrivalNanos);
        return Math.max(0, (leftNanos + 999_999) / 1_000_000);
    }

    /** Whether any item in the batch matches. */
    public boolean anyMatch(Predicate<? super T> test) {
        return items.stream().anyMatch(test);
    }

    /** Takes the items out, oldest first, and resets the batch. */
    public List<T> drain() {
        List<T> out = new ArrayList<>(items);
        items.clear();
        return out;
    }
}
