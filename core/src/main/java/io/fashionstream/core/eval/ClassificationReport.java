package io.fashionstream.core.eval;

import io.fashionstream.core.FashionClass;

import java.util.ArrayList;
import java.util.List;

/**
 * Accuracy, per-class precision/recall/F1 and the confusion matrix of a set of predictions.
 *
 * @param confusion {@code confusion[truth][predicted]} counts
 */
public record ClassificationReport(long samples, double accuracy, List<ClassMetrics> perClass, long[][] confusion) {

    /** One class's row of the report. */
    public record ClassMetrics(String label, double precision, double recall, double f1, long support) {
    }

    /** Builds the report from a confusion matrix. */
    public static ClassificationReport of(long[][] confusion) {
        int k = confusion.length;
        long total = 0;
        long correct = 0;
        long[] predictedTotals = new long[k];
        long[] truthTotals = new long[k];
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                long n = confusion[t][p];
                total += n;
                truthTotals[t] += n;
                predictedTotals[p] += n;
                if (t == p) {
                    correct += n;
                }
            }
        }
        List<ClassMetrics> perClass = new ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            double precision = ratio(confusion[c][c], predictedTotals[c]);
            double recall = ratio(confusion[c][c], truthTotals[c]);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.add(new ClassMetrics(FashionClass.of(c).displayName(), precision, recall, f1, truthTotals[c]));
        }
        return new ClassificationReport(total, ratio(correct, total), List.copyOf(perClass), copy(confusion));
    }

    /** Builds the report from parallel arrays of true and predicted label indices. */
    public static ClassificationReport of(int[] truth, int[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " truths but " + predicted.length + " predictions");
        }
        long[][] confusion = new long[FashionClass.COUNT][FashionClass.COUNT];
        for (int i = 0; i < truth.length; i++) {
            confusion[truth[i]][predicted[i]]++;
        }
        return of(confusion);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    private static long[][] copy(long[][] m) {
        long[][] c = new long[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }
}
