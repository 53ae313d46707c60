package io.fashionstream.worker.release;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What serves now: the primary, and at most one canary (with the share of inputs it answers) and
 * one shadow. Immutable; a worker thread reads it once per batch, so a batch is answered by one
 * deployment from end to end.
 *
 * @param canary      the canary, or null
 * @param canaryShare the share of inputs (0 to 1) the canary answers; 0 without one
 * @param shadow      the shadow, or null
 * @param rolloutId   the release-topic rollout this deployment applies, or null for a model given by file
 */
public record Deployment(LiveRelease primary, LiveRelease canary, double canaryShare, LiveRelease shadow,
                         String rolloutId) {
    public Deployment {
        Objects.requireNonNull(primary, "primary");
        if (canary == primary || shadow == primary || (canary != null && canary == shadow)) {
            throw new IllegalArgumentException("a release has one role at a time: primary " + primary
                    + (canary == null ? "" : ", canary " + canary) + (shadow == null ? "" : ", shadow " + shadow));
        }
        if (canary == null ? canaryShare != 0 : !(canaryShare > 0 && canaryShare < 1)) {
            throw new IllegalArgumentException("a canary's share is between 0 and 1 (exclusive), not " + canaryShare);
        }
    }

    /** Only {@code primary}. */
    public static Deployment of(LiveRelease primary) {
        return new Deployment(primary, null, 0, null, null);
    }

    /** Whether the canary answers this input (never without a canary). */
    public boolean toCanary(ConsumerRecord<byte[], byte[]> record) {
        return canary != null && CanarySplit.toCanary(record, canaryShare);
    }

    /** Every live release, primary first. */
    public List<LiveRelease> releases() {
        List<LiveRelease> all = new ArrayList<>(3);
        all.add(primary);
        if (canary != null) {
            all.add(canary);
        }
        if (shadow != null) {
            all.add(shadow);
        }
        return all;
    }

    /** The role {@code release} has here, or null when it is not live. */
    public Role roleOf(LiveRelease release) {
        return release == primary ? Role.PRIMARY : release == canary ? Role.CANARY : release == shadow ? Role.SHADOW : null;
    }

    /** {@code primary complex2-81ebcf4cdcb8, canary simple-… (10%), shadow …}: for logs. */
    public String describe() {
        return "primary " + primary.id() + (canary == null ? "" : String.format(java.util.Locale.ROOT, ", canary %s (%.1f%%)",
                canary.id(), 100 * canaryShare)) + (shadow == null ? "" : ", shadow " + shadow.id());
    }
}
