package io.fashionstream.worker.release;

import java.util.Locale;

/**
 * What a live release does: the primary answers every input not in the canary's share; a canary
 * answers its share of inputs (chosen by key); a shadow runs on every batch and its answers are
 * only compared, never published.
 */
public enum Role {
    PRIMARY, CANARY, SHADOW;

    /** The word in results, metrics and commands: {@code primary}, {@code canary}, {@code shadow}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
