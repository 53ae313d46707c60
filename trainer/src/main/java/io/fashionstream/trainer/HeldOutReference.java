package io.fashionstream.trainer;

import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.drift.Reference;
import io.fashionstream.core.drift.ReferenceAnswers;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.core.photo.PhotoVariation;
import io.fashionstream.core.photo.PhotoViews;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A model's answers on the images its training held out, raw and as catalog photos (every
 * standard photo variation, through the worker's own conversion): the card's {@link Reference}.
 */
final class HeldOutReference {
    private static final int BATCH = 512;

    private HeldOutReference() {
    }

    /** @param seed the training's seed: the photo views are rendered from it, reproducibly */
    static Reference of(InferenceEngine engine, LabelledImages heldOut, long seed) throws InferenceException {
        LabelledImages photos = PhotoViews.of(heldOut, PhotoVariation.standard(), seed + 2,
                Runtime.getRuntime().availableProcessors());
        String which = String.format(Locale.ROOT, "the %,d validation images the training held out (seed %d), raw "
                + "and as catalog photos (every standard variation, photo seed %d)", heldOut.size(), seed, seed + 2);
        return ReferenceAnswers.of(which, predict(engine, heldOut), heldOut.labels(), predict(engine, photos),
                photos.labels());
    }

    private static List<Prediction> predict(InferenceEngine engine, LabelledImages images) throws InferenceException {
        int n = images.pixelsPerImage();
        List<Prediction> out = new ArrayList<>(images.size());
        float[] batch = new float[BATCH * n];
        for (int from = 0; from < images.size(); from += BATCH) {
            int count = Math.min(BATCH, images.size() - from);
            for (int i = 0; i < count * n; i++) {
                batch[i] = (images.pixels()[from * n + i] & 0xff) / 255f;
            }
            out.addAll(engine.batchPredict(batch, count));
        }
        return out;
    }
}
