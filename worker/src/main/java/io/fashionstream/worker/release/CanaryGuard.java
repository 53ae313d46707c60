package io.fashionstream.worker.release;

import io.fashionstream.worker.metrics.Comparison;

import java.util.Locale;
import java.util.Optional;

/**
 * When a canary is rolled back without anyone asking: once it has answered {@code minAnswers}
 * inputs, when it agrees with the primary on fewer than {@code minAgreement} of its last
 * {@value Comparison#WINDOW} inputs, or, once {@code minAnswers} of them carried a label, when
 * its accuracy on those is more than {@code maxAccuracyDrop} under the primary's on the same inputs
 * and the gap is more than chance: McNemar's test on the inputs exactly one of the two got right,
 * one-sided, past {@link #ACCURACY_DROP_Z} (p under 0.01). Two models a fifth of a point apart
 * differ by two points on 235 inputs often enough (a rollout bench rolled back such a canary twice
 * in a row) that the gap alone would roll good canaries back.
 *
 * @param minAgreement    the least agreement with the primary (0 to 1; 0 turns the check off)
 * @param maxAccuracyDrop the most accuracy (a fraction) it may lose against the primary (1 turns the check off)
 * @param minAnswers      answers (and labelled answers) before either check judges
 */
public record CanaryGuard(double minAgreement, double maxAccuracyDrop, int minAnswers) {
    public static final double DEFAULT_MIN_AGREEMENT = 0.85;
    public static final double DEFAULT_MAX_ACCURACY_DROP = 0.02;
    public static final int DEFAULT_MIN_ANSWERS = 200;
    /** McNemar's statistic (continuity-corrected) past which an accuracy drop is not taken for chance. */
    static final double ACCURACY_DROP_Z = 2.33;

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
        if (canary.labelled() >= minAnswers && canary.primaryAccuracy() - canary.candidateAccuracy() > maxAccuracyDrop
                && mcNemarZ(canary.onlyPrimaryRight(), canary.onlyCandidateRight()) > ACCURACY_DROP_Z) {
            return Optional.of(String.format(Locale.ROOT,
                    "its accuracy on its last %d labelled answers was %.2f%%, the primary's on the same inputs %.2f%%:"
                            + " more than %.1f points under, and more than chance (%d inputs only the primary got right,"
                            + " %d only the canary)", canary.labelled(), 100 * canary.candidateAccuracy(),
                    100 * canary.primaryAccuracy(), 100 * maxAccuracyDrop, canary.onlyPrimaryRight(),
                    canary.onlyCandidateRight()));
        }
        return Optional.empty();
    }

    /** McNemar's statistic with continuity correction, signed: positive when the primary wins more of the split inputs. */
    static double mcNemarZ(int onlyPrimaryRight, int onlyCandidateRight) {
        int split = onlyPrimaryRight + onlyCandidateRight;
        if (split == 0) {
            return 0;
        }
        return (onlyPrimaryRight - onlyCandidateRight - 1) / Math.sqrt(split);
    }
}
