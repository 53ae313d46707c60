package io.fashionstream.core.drift;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.Prediction;

import java.util.Arrays;
import java.util.List;

/**
 * Builds a model card's {@link Reference} from the model's answers on held-out images, raw and as
 * photos, and chooses its review threshold from them.
 */
public final class ReferenceAnswers {
    /** Confidence quantiles kept per profile: every 0.2%. */
    public static final int QUANTILES = 501;
    /**
     * The review rule: the threshold is the highest confidence under which the held-out answers are
     * right at most this often, so that what goes to people is more likely wrong than right.
     */
    public static final double REVIEW_MAX_ACCURACY = 0.5;
    /** The least a threshold is, so that a model right everywhere still sends its least sure answers. */
    public static final double MIN_REVIEW_THRESHOLD = 0.4;

    private ReferenceAnswers() {
    }

    /**
     * The reference of a model from its answers on the held-out images ({@code raw}) and on their
     * photo views ({@code photo}), each with the images' true classes.
     *
     * @param heldOut a line saying which images these are, for the card's reader
     */
    public static Reference of(String heldOut, List<Prediction> raw, byte[] rawTruth, List<Prediction> photo,
                               byte[] photoTruth) {
        double threshold = reviewThreshold(concat(confidences(raw), confidences(photo)),
                concat(correct(raw, rawTruth), correct(photo, photoTruth)));
        String rule = String.format(java.util.Locale.ROOT, "the highest confidence under which the held-out answers "
                + "(raw and photos together) are right at most %.0f%% of the time, at least %.2f",
                100 * REVIEW_MAX_ACCURACY, MIN_REVIEW_THRESHOLD);
        return new Reference(heldOut, round(threshold), rule, profile(raw, rawTruth, threshold),
                profile(photo, photoTruth, threshold));
    }

    /** The profile of one kind of input's answers, given the review threshold. */
    public static AnswerProfile profile(List<Prediction> answers, byte[] truth, double reviewThreshold) {
        if (answers.isEmpty() || answers.size() != truth.length) {
            throw new IllegalArgumentException("need one true class per answer, and at least one answer");
        }
        double[] shares = new double[FashionClass.values().length];
        int right = 0;
        int under = 0;
        int underRight = 0;
        for (int i = 0; i < answers.size(); i++) {
            Prediction p = answers.get(i);
            shares[p.label()]++;
            boolean ok = p.label() == truth[i];
            right += ok ? 1 : 0;
            if (p.confidence() < reviewThreshold) {
                under++;
                underRight += ok ? 1 : 0;
            }
        }
        for (int c = 0; c < shares.length; c++) {
            shares[c] = round(shares[c] / answers.size());
        }
        int n = answers.size();
        return new AnswerProfile(n, round((double) right / n), shares, quantiles(confidences(answers), QUANTILES),
                round((double) under / n), under == 0 ? null : round((double) underRight / under));
    }

    /**
     * The highest confidence {@code t} such that the answers under {@code t} are right at most
     * {@link #REVIEW_MAX_ACCURACY} of the time; at least {@link #MIN_REVIEW_THRESHOLD}.
     */
    static double reviewThreshold(double[] confidence, boolean[] correct) {
        Integer[] order = new Integer[confidence.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(confidence[a], confidence[b]));
        double best = MIN_REVIEW_THRESHOLD;
        int right = 0;
        for (int k = 0; k < order.length; k++) {
            // the answers under confidence[order[k]] are the first k
            if (k > 0 && right <= REVIEW_MAX_ACCURACY * k) {
                best = Math.max(best, confidence[order[k]]);
            }
            right += correct[order[k]] ? 1 : 0;
        }
        return best;
    }

    /** {@code count} evenly spaced quantiles (nearest rank) of {@code values}, ascending. */
    public static double[] quantiles(double[] values, int count) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] q = new double[count];
        for (int i = 0; i < count; i++) {
            int rank = (int) Math.round((double) i / (count - 1) * (sorted.length - 1));
            q[i] = round(sorted[rank]);
        }
        return q;
    }

    private static double[] confidences(List<Prediction> answers) {
        return answers.stream().mapToDouble(Prediction::confidence).toArray();
    }

    private static boolean[] correct(List<Prediction> answers, byte[] truth) {
        boolean[] ok = new boolean[answers.size()];
        for (int i = 0; i < ok.length; i++) {
            ok[i] = answers.get(i).label() == truth[i];
        }
        return ok;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static boolean[] concat(boolean[] a, boolean[] b) {
        boolean[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Six decimals: what a card needs, and short. */
    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1e6) / 1e6;
    }
}
