package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;

import java.util.function.LongSupplier;

/**
 * What a worker thread reports about itself, for health checks and metrics: how many inputs it
 * holds unanswered, how long since it last made progress (committed, or had nothing left to
 * answer), and how long since its consumer last heard from the group coordinator. Written by the
 * worker thread, read by any ({@link #status}).
 */
final class ProgressTracker {
    /** The consumer metric that tells whether the group coordinator (the broker) is being reached. */
    static final String HEARTBEAT_AGE_METRIC = "last-heartbeat-seconds-ago";

    private final LongSupplier nanoClock;
    private volatile int held;
    private volatile long progressNanos;
    private volatile Metric heartbeatAge;

    ProgressTracker(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.progressNanos = nanoClock.getAsLong();
    }

    /** Inputs fetched and not yet answered, as of the loop's last step; none held counts as up to date. */
    void held(int inputs, Consumer<?, ?> consumer) {
        held = inputs;
        if (inputs == 0) {
            progressNanos = nanoClock.getAsLong();
        }
        if (heartbeatAge == null) {
            heartbeatAge = consumer.metrics().values().stream()
                    .filter(m -> m.metricName().name().equals(HEARTBEAT_AGE_METRIC)).findFirst().orElse(null);
        }
    }

    /** Answers were committed. */
    void progressed() {
        progressNanos = nanoClock.getAsLong();
    }

    /** The loop closed: it holds nothing any more. */
    void closed() {
        held = 0;
    }

    WorkerStatus status(String name, boolean joined, Throwable failure) {
        double silence = Double.NaN;
        Metric m = heartbeatAge;
        if (m != null && m.metricValue() instanceof Number seconds && seconds.doubleValue() >= 0) {
            silence = seconds.doubleValue();
        }
        return new WorkerStatus(name, joined, held, (nanoClock.getAsLong() - progressNanos) / 1e9, silence, failure);
    }
}
