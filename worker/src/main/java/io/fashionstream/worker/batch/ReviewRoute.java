package io.fashionstream.worker.batch;

/**
 * Where answers the model was not sure of also go: the review topic, and the confidence under
 * which an answer is sent there (0: none is).
 */
public record ReviewRoute(String topic, double threshold) {
    public ReviewRoute {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("a review threshold is a confidence between 0 and 1, not " + threshold);
        }
    }

    /** Whether an answer of this confidence is sent for review. */
    public boolean wants(float confidence) {
        return confidence < threshold;
    }
}
