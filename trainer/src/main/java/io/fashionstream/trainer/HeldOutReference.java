package io.fashionstream.trainer;

import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.drift.Reference;
import io.fashionstream.core.drift.ReferenceAnswers;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.photo.PhotoVariation;
import io.fashionstream.core.photo.PhotoViews;

import java.util.Locale;

/**
 * A model's answers on the images its training held out, raw and as catalog photos (every
 * standard photo variation, through the worker's own conversion): the card's {@link Reference}.
 */
final class HeldOutReference {
    private HeldOutReference() {
    }

    /** @param seed the training's seed: the photo views are rendered from it, reproducibly */
    static Reference of(InferenceEngine engine, LabelledImages heldOut, long seed) throws InferenceException {
        LabelledImages photos = PhotoViews.of(heldOut, PhotoVariation.standard(), seed + 2,
                Runtime.getRuntime().availableProcessors());
        String which = String.format(Locale.ROOT, "the %,d validation images the training held out (seed %d), raw "
                + "and as catalog photos (every standard variation, photo seed %d)", heldOut.size(), seed, seed + 2);
        return ReferenceAnswers.of(which, InferenceEngine.predictAll(engine, heldOut), heldOut.labels(),
                InferenceEngine.predictAll(engine, photos), photos.labels());
    }
}
