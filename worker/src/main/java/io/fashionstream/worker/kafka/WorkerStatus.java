package io.fashionstream.worker.kafka;

import java.time.Duration;
import java.util.Optional;

/**
 * How one worker thread is doing, as health checks and metrics see it.
 *
 * @param joined                whether its consumer has joined the group (been assigned, even nothing)
 * @param heldRecords           inputs it has fetched and not yet answered
 * @param progressAgeSeconds    seconds since it last committed answers or last had nothing to answer
 * @param brokerSilenceSeconds  seconds since its consumer last sent the group coordinator a heartbeat
 *                              (NaN before the first): grows while the broker cannot be reached
 * @param failure               why it ended, or null
 */
public record WorkerStatus(String name, boolean joined, int heldRecords, double progressAgeSeconds,
                           double brokerSilenceSeconds, Throwable failure) {

    /** Holds input it has not been able to answer for longer than {@code limit}. */
    public boolean stuck(Duration limit) {
        return heldRecords > 0 && progressAgeSeconds * 1000 > limit.toMillis();
    }

    /** Has not reached the broker for longer than {@code limit} (only known once joined). */
    public boolean brokerSilent(Duration limit) {
        return joined && brokerSilenceSeconds * 1000 > limit.toMillis();
    }

    /** Why this worker is not ready, in short fixed words (figures aside), or empty when it is. */
    public Optional<String> problem(Duration stallLimit) {
        if (failure != null) {
            return Optional.of("failed with a fatal error (its log says which)"); // never raw exception text
        }
        if (!joined) {
            return Optional.of("has not joined the consumer group yet");
        }
        if (brokerSilent(stallLimit)) {
            return Optional.of(String.format("no heartbeat reached the group coordinator for %.0f s"
                    + " (broker unreachable, or a rebalance under way)", brokerSilenceSeconds));
        }
        if (stuck(stallLimit)) {
            return Optional.of(String.format("holds %d input(s) it has not been able to answer for %.0f s",
                    heldRecords, progressAgeSeconds));
        }
        return Optional.empty();
    }
}
