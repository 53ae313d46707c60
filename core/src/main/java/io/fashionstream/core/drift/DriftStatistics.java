package io.fashionstream.core.drift;

import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * The distances and tests the drift monitor reports: between the predicted-class distribution of
 * a window of answers and the card's, the population stability index and the Jensen-Shannon
 * divergence; between the window's confidences and the card's, the two-sample
 * Kolmogorov-Smirnov statistic and its p-value (Apache Commons Math).
 */
public final class DriftStatistics {
    /**
     * A share below this counts as this, in both distributions of the PSI: a class that never
     * occurs on one side would make the index infinite.
     */
    public static final double MIN_SHARE = 1e-4;

    private DriftStatistics() {
    }

    /**
     * Population stability index: {@code sum((o - e) * ln(o / e))} over the classes. Under 0.1
     * is read as stable, 0.1-0.25 as a moderate shift, above 0.25 as a significant one.
     */
    public static double populationStability(double[] expected, double[] observed) {
        checkSameLength(expected, observed);
        double psi = 0;
        for (int c = 0; c < expected.length; c++) {
            double e = Math.max(expected[c], MIN_SHARE);
            double o = Math.max(observed[c], MIN_SHARE);
            psi += (o - e) * Math.log(o / e);
        }
        return psi;
    }

    /** Jensen-Shannon divergence, base 2: 0 for equal distributions, 1 for disjoint ones. */
    public static double jensenShannon(double[] p, double[] q) {
        checkSameLength(p, q);
        double js = 0;
        for (int c = 0; c < p.length; c++) {
            double m = (p[c] + q[c]) / 2;
            js += half(p[c], m) + half(q[c], m);
        }
        return Math.max(0, js / 2);
    }

    private static double half(double x, double m) {
        return x > 0 ? x * Math.log(x / m) / Math.log(2) : 0;
    }

    /** The two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs. */
    public static double ksStatistic(double[] reference, double[] sample) {
        return new KolmogorovSmirnovTest().kolmogorovSmirnovStatistic(reference, sample);
    }

    /**
     * The p-value of a two-sample KS statistic {@code d} for samples of sizes {@code n} and {@code m},
     * from the limiting distribution (what Commons Math uses for large samples; exact would cost
     * far more at the window's sizes and differ in the third decimal).
     */
    public static double ksPValue(double d, int n, int m) {
        return new KolmogorovSmirnovTest().approximateP(d, n, m);
    }

    private static void checkSameLength(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("distributions over " + a.length + " and " + b.length + " classes");
        }
    }
}
