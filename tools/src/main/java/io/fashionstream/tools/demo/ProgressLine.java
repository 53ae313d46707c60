package io.fashionstream.tools.demo;

import java.io.PrintWriter;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The demo's live line: sent, classified, dead-lettered, images/s (answers per second since the
 * first image was sent, as in the summary), p50/p99 latency, running accuracy. Rewritten in place
 * on a terminal, printed every few seconds otherwise (CI logs).
 */
final class ProgressLine {
    private final PrintWriter err;
    private final long total;
    private final boolean terminal = System.console() != null;
    private volatile boolean stopped;

    ProgressLine(PrintWriter err, long total) {
        this.err = err;
        this.total = total;
    }

    /**
     * Prints until stopped. The rate is the summary's: answers per second from {@code startMillis},
     * when the first image was sent, to the latest answer; latencies show {@code -} until there is one.
     */
    void runUntil(ResultTally tally, LongSupplier sent, BooleanSupplier cancelled, long startMillis) {
        long period = terminal ? 500 : 3000;
        while (!stopped && !cancelled.getAsBoolean()) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            String line = line(tally.snapshot(), sent.getAsLong(), startMillis);
            err.print(terminal ? "\r" + line + "   " : line + System.lineSeparator());
            err.flush();
        }
        if (terminal) {
            err.println();
        }
    }

    /** One progress line; the rate runs from {@code startMillis}, the first send, to the latest answer. */
    String line(ResultTally.Snapshot s, long sent, long startMillis) {
        double rate = s.answered() == 0 ? 0 : s.answered() / Math.max(0.001, (s.lastAnswerMillis() - startMillis) / 1000.0);
        return String.format("sent %,d/%,d  classified %,d  dead-lettered %,d  %,.0f img/s  p50 %s  p99 %s  accuracy %s",
                sent, total, s.classified(), s.deadLettered(), rate, millis(s.p50Ms()), millis(s.p99Ms()),
                Double.isNaN(s.accuracy()) ? "-" : String.format("%.2f%%", 100 * s.accuracy()));
    }

    private static String millis(double ms) {
        return Double.isNaN(ms) ? "-" : String.format("%.0f ms", ms);
    }

    void stop() {
        stopped = true;
    }
}
