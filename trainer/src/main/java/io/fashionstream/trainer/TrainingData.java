package io.fashionstream.trainer;

import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.photo.PhotoVariation;
import io.fashionstream.core.photo.PhotoViews;

import java.util.Collections;
import java.util.List;

/**
 * The images one run trains and validates on: the raw split and, for photo augmentation, every
 * image's catalog-photo view ({@link PhotoViews}) in the same order (null: raw images only).
 */
public record TrainingData(TrainValidationSplit raw, TrainValidationSplit photos) {
    /**
     * The photo evaluation's variations at 2-6x: what preprocessing leaves behind hardly depends on
     * the scale (mean residual 18.4-19.0 gray levels from 2x to 40x), while rendering time grows
     * with its square. The two the smaller models lost most on (textured backgrounds with a shadow,
     * and thumbnails) are drawn three and two times as often as the others.
     */
    static final List<PhotoVariation> VARIATIONS = PhotoVariation.standard().stream()
            .map(v -> v.withScales(Math.min(v.minScale(), 3), Math.min(v.maxScale(), 6)))
            .flatMap(v -> Collections.nCopies(weight(v), v).stream())
            .toList();

    /** The mix above in words, for the model card. */
    static final String MIX = "2-6x, every photo variation, textured and thumbnails 3 and 2 times as often";

    private static int weight(PhotoVariation variation) {
        return switch (variation.name()) {
            case "textured" -> 3;
            case "scale-2x" -> 2;
            default -> 1;
        };
    }

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
