package io.fashionstream.worker.release;

import io.fashionstream.worker.metrics.Comparison;

import java.util.Locale;
import java.util.Optional;

/**
 * When a canary is rolled back without anyone asking: once it has answered {@code minAnswers}
 * inputs, when it agrees with the primary on fewer than {@code minAgreement} of its last
 * {@value Comparison#WINDOW} inputs, or, once {@code minAnswers} of them carried a label, when
 * its accuracy on those is more than {@code maxAccuracyDrop} under the primary's on the same inputs.
 *
 * @param minAgreement    the least agreement with the primary (0 to 1; 0 turns the check off)
 * @param maxAccuracyDrop the most accuracy (a fraction) it may lose against the primary (1 turns the check off)
 * @param minAnswers      answers (and labelled answers) before either check judges
 */
public record CanaryGuard(double minAgreement, double maxAccuracyDrop, int minAnswers) {
    public static final double DEFAULT_MIN_AGREEMENT = 0.85;
    public static final double DEFAULT_MAX_ACCURACY_DROP = 0.02;
    public static final int DEFAULT_MIN_ANSWERS = 200;

    public CanaryGuard {
        if (!(minAgreement >= 0 && minAgreement <= 1) || !(maxAccuracyDrop >= 0 && maxAccuracyDrop <= 1)) {
            throw new IllegalArgumentException("canary bounds are fractions between 0 and 1, not " + minAgreement
                    + " and " + maxAccuracyDrop);
        }
        if (minAnswers < 1 || minAnswers > Comparison.WINDOW) {
            throw new IllegalArgumentException("canary-min-answers must be between 1 and " + Comparison.WINDOW
                    + ", not " + minAnswers);
        }
    }

    /** Why the canary compared in {@code canary} must be rolled back, or empty while it holds its bounds. */
    public Optional<String> breach(Comparison canary) {
        if (canary.compared() >= minAnswers && canary.agreement() < minAgreement) {
            return Optional.of(String.format(Locale.ROOT,
                    "it agreed with the primary on %.1f%% of its last %d answers, under the bound of %.1f%%",
                    100 * canary.agreement(), canary.compared(), 100 * minAgreement));
        }
        if (canary.labelled() >= minAnswers && canary.primaryAccuracy() - canary.candidateAccuracy() > maxAccuracyDrop) {
            return Optional.of(String.format(Locale.ROOT,
                    "its accuracy on its last %d labelled answers was %.2f%%, the primary's on the same inputs %.2f%%:"
                            + " more than %.1f points under", canary.labelled(), 100 * canary.candidateAccuracy(),
                    100 * canary.primaryAccuracy(), 100 * maxAccuracyDrop));
        }
        return Optional.empty();
    }
}
