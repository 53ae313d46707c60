package io.fashionstream.worker.config;

import java.util.Locale;

/** What a reader of the results topic can rely on across crashes, restarts and rebalances. */
public enum Guarantee {
    /** Kafka transactions: results and input offsets commit together, so each input yields exactly one output. */
    EXACTLY_ONCE,
    /** Offsets commit only after the results are acknowledged: nothing is lost, a crash may repeat a batch. */
    AT_LEAST_ONCE;

    /** The spelling on the command line: {@code exactly-once}, {@code at-least-once}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code exactly-once} or {@code at-least-once}, exactly as spelt (no aliases: a typo is refused). */
    public static Guarantee parse(String text) {
        for (Guarantee g : values()) {
            if (g.cliName().equals(text.trim())) {
                return g;
            }
        }
        throw new IllegalArgumentException("guarantee must be exactly-once or at-least-once, not '" + text + "'");
    }
}
