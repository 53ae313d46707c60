package io.fashionstream.worker.release;

import io.fashionstream.core.release.ReleaseGate;

/**
 * How a worker follows model rollouts: the release topic it reads (empty: none, it serves
 * {@code --model} only), how far under its card a release may score and still pass the gate, and
 * the canary's bounds.
 */
public record RolloutSettings(String releaseTopic, double gateTolerance, CanaryGuard canaryGuard) {
    public static final RolloutSettings DEFAULTS = new RolloutSettings(ReleaseTopic.DEFAULT_NAME,
            ReleaseGate.DEFAULT_TOLERANCE, new CanaryGuard(CanaryGuard.DEFAULT_MIN_AGREEMENT,
            CanaryGuard.DEFAULT_MAX_ACCURACY_DROP, CanaryGuard.DEFAULT_MIN_ANSWERS));

    public RolloutSettings {
        if (!releaseTopic.isEmpty() && (!releaseTopic.matches("[a-zA-Z0-9._-]{1,249}") || releaseTopic.matches("\\.{1,2}"))) {
            throw new IllegalArgumentException("release-topic '" + releaseTopic
                    + "' is not a valid Kafka topic name (letters, digits, '.', '_', '-'; at most 249; empty for none)");
        }
        if (!(gateTolerance >= 0 && gateTolerance < 1)) {
            throw new IllegalArgumentException("gate-tolerance must be an accuracy between 0 and 1, not " + gateTolerance);
        }
    }

    /** Whether the worker follows a release topic. */
    public boolean followsReleases() {
        return !releaseTopic.isEmpty();
    }
}
