package io.fashionstream.core.inference;

import java.util.Locale;

/**
 * The numbers a model computes in: {@code fp32}, its float32 export; {@code int8}, its INT8
 * version ({@code models/<name>.int8.onnx}); {@code auto}, INT8 where the card says it keeps
 * accuracy and it runs faster here, float32 elsewhere ({@link ServingModel#open}).
 */
public enum Precision {
    FP32, INT8, AUTO;

    /** The command-line word. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code fp32}, {@code int8} or {@code auto}; anything else is refused. */
    public static Precision parse(String word) {
        for (Precision p : values()) {
            if (p.cliName().equals(word)) {
                return p;
            }
        }
        throw new IllegalArgumentException("precision '" + word + "' is not fp32, int8 or auto");
    }
}
