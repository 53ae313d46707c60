package io.fashionstream.core.drift;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * How a model's answers are distributed over one kind of held-out input: the baseline that
 * prediction drift is measured against, written in the model card by the trainer.
 *
 * @param count               held-out images it was measured on
 * @param accuracy            their accuracy
 * @param classShares         the share of answers per predicted class, by class index (sums to 1)
 * @param confidenceQuantiles the answers' confidence (the top class's score) at the quantiles
 *                            0, 1/(n-1), ..., 1: the reference sample of the confidence test
 * @param reviewShare         the share of answers under the card's review threshold
 * @param reviewAccuracy      the accuracy of those answers (null when there are none)
 */
public record AnswerProfile(int count, double accuracy, double[] classShares, double[] confidenceQuantiles,
                            double reviewShare, Double reviewAccuracy) {
    public AnswerProfile {
        if (classShares.length == 0 || confidenceQuantiles.length < 2) {
            throw new IllegalArgumentException("a profile needs class shares and at least two confidence quantiles");
        }
        classShares = classShares.clone();
        confidenceQuantiles = confidenceQuantiles.clone();
    }

    /** The confidence quantiles, ascending: the reference sample a window of confidences is tested against. */
    @JsonIgnore
    public double[] confidenceSample() {
        return confidenceQuantiles.clone();
    }
}
