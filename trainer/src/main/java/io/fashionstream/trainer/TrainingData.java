package io.fashionstream.trainer;

import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.photo.PhotoVariation;
import io.fashionstream.core.photo.PhotoViews;

import java.util.List;

/**
 * The images one run trains and validates on: the raw split and, for photo augmentation, every
 * image's catalog-photo view ({@link PhotoViews}) in the same order (null: raw images only).
 */
public record TrainingData(TrainValidationSplit raw, TrainValidationSplit photos) {
    /**
     * The photo evaluation's variations at 2-6x: what preprocessing leaves behind hardly depends on
     * the scale (mean residual 18.4-19.0 gray levels from 2x to 40x), while rendering time grows
     * with its square.
     */
    static final List<PhotoVariation> VARIATIONS = PhotoVariation.standard().stream()
            .map(v -> v.withScales(Math.min(v.minScale(), 3), Math.min(v.maxScale(), 6)))
            .toList();

    /** Raw images only. */
    public static TrainingData raw(TrainValidationSplit split) {
        return new TrainingData(split, null);
    }

    /** The split with the photo views of its training and validation images, rendered from {@code seed}. */
    public static TrainingData withPhotoViews(TrainValidationSplit split, long seed, int threads) {
        return new TrainingData(split, new TrainValidationSplit(
                PhotoViews.of(split.train(), VARIATIONS, seed, threads),
                PhotoViews.of(split.validation(), VARIATIONS, seed + 1, threads)));
    }
}
