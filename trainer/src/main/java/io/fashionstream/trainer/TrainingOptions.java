package io.fashionstream.trainer;

import io.fashionstream.core.model.Architecture;

/**
 * Everything one training run depends on, validated.
 *
 * @param epochs        maximum epochs; early stopping may end sooner
 * @param patience      epochs without a lower validation loss before stopping
 * @param validation    images held out of the training split for validation
 * @param trainLimit    train on at most this many images (0 = all), for quick runs and tests
 * @param photoShare    share of each batch (0-1) given as the images' catalog-photo views instead of
 *                      the raw images; 0: raw images only
 */
public record TrainingOptions(Architecture architecture, int epochs, int batchSize, long seed, int patience,
                              int validation, int trainLimit, double photoShare) {
    public static final int DEFAULT_BATCH = 64;
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_PATIENCE = 3;
    public static final int DEFAULT_VALIDATION = 6_000;
    public static final double DEFAULT_PHOTO_SHARE = 0.5;

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
        if (!(photoShare >= 0 && photoShare <= 1)) {
            throw new IllegalArgumentException("--photo-share must be between 0 and 1, not " + photoShare);
        }
        if (trainLimit < 0) {
            throw new IllegalArgumentException("--limit must not be negative");
        }
    }
}
