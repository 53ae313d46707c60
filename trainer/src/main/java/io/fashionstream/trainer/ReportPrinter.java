package io.fashionstream.trainer;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.eval.ClassificationReport;

import java.io.PrintStream;

/** Prints a {@link ClassificationReport} the way scikit-learn's classification_report reads. */
final class ReportPrinter {
    private ReportPrinter() {
    }

    static void print(PrintStream out, ClassificationReport report) {
        out.printf("%-12s %9s %9s %9s %9s%n", "class", "precision", "recall", "f1", "support");
        for (ClassificationReport.ClassMetrics m : report.perClass()) {
            out.printf("%-12s %9.4f %9.4f %9.4f %9d%n", m.label(), m.precision(), m.recall(), m.f1(), m.support());
        }
        out.printf("%-12s %29.4f %9d%n%n", "accuracy", report.accuracy(), report.samples());
        out.println("Confusion matrix (rows: true class, columns: predicted):");
        out.printf("%-12s", "");
        for (int p = 0; p < FashionClass.COUNT; p++) {
            out.printf(" %5d", p);
        }
        out.println();
        long[][] cm = report.confusion();
        for (int t = 0; t < cm.length; t++) {
            out.printf("%d %-10s", t, FashionClass.of(t).displayName());
            for (long n : cm[t]) {
                out.printf(" %5d", n);
            }
            out.println();
        }
    }
}
