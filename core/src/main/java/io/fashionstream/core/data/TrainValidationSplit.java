package io.fashionstream.core.data;

import java.util.Random;

/**
 * The training split divided into the images trained on and a held-out validation set
 * (the notebook's {@code X_val}); the division is fixed by the seed.
 */
public record TrainValidationSplit(LabelledImages train, LabelledImages validation) {

    public static TrainValidationSplit of(LabelledImages all, int validationSize, long seed) {
        if (validationSize <= 0 || validationSize >= all.size()) {
            throw new IllegalArgumentException("validation size " + validationSize + " must be between 1 and " + (all.size() - 1));
        }
        int[] order = ImageTensors.identityOrder(all.size());
        shuffle(order, new Random(seed));
        int[] val = java.util.Arrays.copyOfRange(order, 0, validationSize);
        int[] train = java.util.Arrays.copyOfRange(order, validationSize, order.length);
        java.util.Arrays.sort(val);
        java.util.Arrays.sort(train);
        return new TrainValidationSplit(all.select(train), all.select(val));
    }

    /** Fisher-Yates, so the order depends only on the seed, not on a library's algorithm. */
    public static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
