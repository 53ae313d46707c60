package io.fashionstream.worker.release;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.UUID;

/**
 * What should serve from now on, as one record of the release topic: the primary, an optional
 * canary with its share and an optional shadow (release ids), the action that led there and why.
 * Each has a key of its own ({@code rollout/<time>-<random>}), so compaction keeps them all: the
 * latest says what is live, the others what was live when. Schema {@code schemas/rollout.v1.json}.
 *
 * @param action      {@code publish}, {@code promote}, {@code retire}, {@code rollback} or {@code auto-rollback}
 * @param canaryShare the canary's share of inputs (0 to 1), null without a canary
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Rollout(int schema, String id, String at, String action, String primary, String canary,
                     Double canaryShare, String shadow, String reason, String by) {
    public static final int SCHEMA_VERSION = 1;
    public static final String PUBLISH = "publish";
    public static final String PROMOTE = "promote";
    public static final String RETIRE = "retire";
    public static final String ROLLBACK = "rollback";
    public static final String AUTO_ROLLBACK = "auto-rollback";

    /** A rollout to the given state, stamped now. */
    public static Rollout of(String action, String primary, String canary, Double canaryShare, String shadow,
                             String reason, String by) {
        Instant now = Instant.now();
        return new Rollout(SCHEMA_VERSION, now + "-" + UUID.randomUUID().toString().substring(0, 8), now.toString(),
                action, primary, canary, canary == null ? null : canaryShare, shadow, reason, by);
    }

    /** The state after this one without its canary, by {@code action}. */
    public Rollout withoutCanary(String action, String reason, String by) {
        return of(action, primary, null, null, shadow, reason, by);
    }

    /** Whether {@code releaseId} is live in this state. */
    public boolean names(String releaseId) {
        return releaseId.equals(primary) || releaseId.equals(canary) || releaseId.equals(shadow);
    }

    /** {@code primary a, canary b (10.0%), shadow c}: for listings and logs. */
    public String describe() {
        return "primary " + primary + (canary == null ? "" : String.format(java.util.Locale.ROOT, ", canary %s (%.1f%%)",
                canary, 100 * canaryShare)) + (shadow == null ? "" : ", shadow " + shadow);
    }
}
