package io.fashionstream.trainer;

import io.fashionstream.core.model.Architecture;

/**
 * Everything one training run depends on, validated.
 *
 * @param epochs        maximum epochs; early stopping may end sooner
 * @param patience      epochs without a lower validation loss before stopping
 * @param validation    images held out of the training split for validation
 * @param trainLimit    train on at most this many images (0 = all), for quick runs and tests
 */
public record TrainingOptions(Architecture architecture, int epochs, int batchSize, long seed, int patience,
                              int validation, int trainLimit) {
    public static final int DEFAULT_BATCH = 64;
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_PATIENCE = 3;
    public static final int DEFAULT_VALIDATION = 6_000;

    public TrainingOptions {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, not " + epochs);
        }
        if (batchSize < 1 || batchSize > 8192) {
            throw new IllegalArgumentException("--batch must be between 1 and 8192, not " + batchSize);
        }
        if (patience < 1) {
            throw new IllegalArgumentException("--patience must be at least 1, not " + patience);
        }
        if (validation < 1) {
            throw new IllegalArgumentException("--validation must be at least 1, not " + validation);
        }
        if (trainLimit < 0) {
            throw new IllegalArgumentException("--limit must not be negative");
        }
    }
}
