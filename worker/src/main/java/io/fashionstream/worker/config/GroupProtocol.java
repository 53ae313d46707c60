package io.fashionstream.worker.config;

import java.util.Locale;

/**
 * Which consumer group protocol the workers use. {@link #CONSUMER} is Kafka 4's protocol
 * (KIP-848): the broker assigns partitions incrementally, so a member joining, leaving or dying
 * does not stop the others. {@link #CLASSIC} is the join/sync protocol every broker speaks, where
 * each rebalance pauses the whole group. {@link #AUTO} picks {@code consumer} where the broker
 * has it enabled (its {@code group.version} feature) and {@code classic} elsewhere.
 */
public enum GroupProtocol {
    AUTO,
    CONSUMER,
    CLASSIC;

    /** The spelling on the command line and in Kafka's {@code group.protocol} setting. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code auto}, {@code consumer} or {@code classic}, exactly as spelt. */
    public static GroupProtocol parse(String text) {
        for (GroupProtocol p : values()) {
            if (p.cliName().equals(text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("group-protocol must be auto, consumer or classic, not '" + text + "'");
    }
}
