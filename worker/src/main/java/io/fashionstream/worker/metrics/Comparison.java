package io.fashionstream.worker.metrics;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.Prediction;

/**
 * A candidate release (canary or shadow) against the primary on the same inputs, over the last
 * {@link #WINDOW} answers: how often the two agree, and, on inputs with a {@code label} header,
 * how often each is right and on how many only one of them is (the pairs a paired test weighs).
 * Thread-safe.
 */
public final class Comparison {
    /** Answers (and, apart, labelled answers) each figure looks back over. */
    public static final int WINDOW = 1000;

    private final RollingAccuracy agreement = new RollingAccuracy(WINDOW);
    private final RollingAccuracy candidate = new RollingAccuracy(WINDOW);
    private final RollingAccuracy primary = new RollingAccuracy(WINDOW);
    private final RollingAccuracy onlyCandidateRight = new RollingAccuracy(WINDOW);
    private final RollingAccuracy onlyPrimaryRight = new RollingAccuracy(WINDOW);

    /** Counts one input both answered; {@code truth} null when it carried no label. */
    public void record(Prediction candidateAnswer, Prediction primaryAnswer, FashionClass truth) {
        agreement.record(candidateAnswer.label() == primaryAnswer.label());
        if (truth != null) {
            boolean candidateRight = candidateAnswer.fashionClass() == truth;
            boolean primaryRight = primaryAnswer.fashionClass() == truth;
            candidate.record(candidateRight);
            primary.record(primaryRight);
            onlyCandidateRight.record(candidateRight && !primaryRight);
            onlyPrimaryRight.record(primaryRight && !candidateRight);
        }
    }

    /** Share of the window's inputs on which the candidate and the primary agree; NaN before any. */
    public double agreement() {
        return agreement.value();
    }

    /** Inputs in the agreement window. */
    public int compared() {
        return agreement.count();
    }

    /** The candidate's accuracy on the window's labelled inputs; NaN before any. */
    public double candidateAccuracy() {
        return candidate.value();
    }

    /** The primary's accuracy on the same labelled inputs; NaN before any. */
    public double primaryAccuracy() {
        return primary.value();
    }

    /** Labelled inputs in the window. */
    public int labelled() {
        return candidate.count();
    }

    /** Labelled inputs in the window that the candidate got right and the primary wrong. */
    public int onlyCandidateRight() {
        return onlyCandidateRight.hits();
    }

    /** Labelled inputs in the window that the primary got right and the candidate wrong. */
    public int onlyPrimaryRight() {
        return onlyPrimaryRight.hits();
    }
}
