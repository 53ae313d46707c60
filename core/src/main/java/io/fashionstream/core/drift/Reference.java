package io.fashionstream.core.drift;

/**
 * What a model's answers look like on held-out images, as written in its card: the baseline of
 * the worker's drift metrics and the source of its review threshold.
 *
 * @param heldOut         which images: e.g. the 6,000 validation images the training held out
 * @param reviewThreshold answers whose confidence is under it go to the review topic
 * @param reviewRule      how the threshold was chosen from the held-out answers
 * @param raw             answers on the raw 28x28 images
 * @param photo           answers on the same images as catalog photos, through the worker's conversion
 */
public record Reference(String heldOut, double reviewThreshold, String reviewRule, AnswerProfile raw,
                        AnswerProfile photo) {
    /** The profile for inputs used as they are ({@code raw}) or converted from a photo. */
    public AnswerProfile profile(boolean photoInput) {
        return photoInput ? photo : raw;
    }
}
