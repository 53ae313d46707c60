package io.fashionstream.worker.kafka;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Exponential backoff between retries of a worker thread (100 ms, doubling up to a cap), cut
 * short when the worker is asked to stop.
 */
final class Backoff {
    static final Duration FIRST = Duration.ofMillis(100);
    static final Duration CAP = Duration.ofSeconds(2);

    private final BooleanSupplier stopRequested;
    private final Duration first;
    private final Duration cap;

    Backoff(BooleanSupplier stopRequested) {
        this(stopRequested, FIRST, CAP);
    }

    Backoff(BooleanSupplier stopRequested, Duration first, Duration cap) {
        this.stopRequested = stopRequested;
        this.first = first;
        this.cap = cap;
    }

    /** The wait before retry number {@code attempt} (1 for the first retry). */
    Duration delay(int attempt) {
        long millis = first.toMillis() << Math.min(20, Math.max(0, attempt - 1));
        return Duration.ofMillis(Math.min(cap.toMillis(), millis));
    }

    /** Waits before retry {@code attempt}; false (at once) when the worker is stopping or interrupted. */
    boolean await(int attempt) {
        long deadline = System.nanoTime() + delay(attempt).toNanos();
        while (!stopRequested.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            try {
                Thread.sleep(Math.min(50, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
