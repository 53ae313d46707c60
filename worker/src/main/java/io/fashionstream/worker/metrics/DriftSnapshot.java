package io.fashionstream.worker.metrics;

/**
 * A window of answers against the model card's reference (NaN statistics when the window holds
 * too few answers to mean anything).
 *
 * @param answers        answers in the window
 * @param classPsi       population stability index of the predicted classes
 * @param classJs        Jensen-Shannon divergence of the predicted classes (base 2)
 * @param confidenceKs   Kolmogorov-Smirnov statistic of the confidences
 * @param confidenceP    its p-value
 * @param lowConfidence  share of the window's answers under the review threshold
 */
public record DriftSnapshot(int answers, double classPsi, double classJs, double confidenceKs, double confidenceP,
                            double lowConfidence) {
    static DriftSnapshot tooFew(int answers) {
        return new DriftSnapshot(answers, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
}
