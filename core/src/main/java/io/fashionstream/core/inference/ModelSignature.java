package io.fashionstream.core.inference;

import java.util.Arrays;
import java.util.List;

/**
 * What a model takes and gives, as its file declares: the shape of its input and of its output
 * ({@code -1} for a dynamic dimension, such as the batch), the class names in its metadata and the
 * precision it says it computes in (float32 unless its metadata says INT8).
 */
public record ModelSignature(long[] inputShape, long[] outputShape, List<String> classNames, Precision precision) {
    /** Whether {@code shape} is {@code expected} where {@code expected} is not -1 (a dynamic dimension matches anything). */
    public static boolean matches(long[] shape, long[] expected) {
        if (shape.length != expected.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (expected[i] != -1 && shape[i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@code [-1, 1, 28, 28]}: how a shape is written in a refusal. */
    public static String describe(long[] shape) {
        return Arrays.toString(shape);
    }
}
