package io.fashionstream.worker.demo;

import java.io.PrintWriter;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The demo's live line: sent, classified, dead-lettered, images/s, p50/p99 latency, running
 * accuracy. Rewritten in place on a terminal, printed every few seconds otherwise (CI logs).
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

    void runUntil(ResultTally tally, IntSupplier sent, BooleanSupplier cancelled) {
        long start = System.nanoTime();
        long lastAnswered = 0;
        long lastTime = start;
        long period = terminal ? 500 : 3000;
        while (!stopped && !cancelled.getAsBoolean()) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            ResultTally.Snapshot s = tally.snapshot();
            long now = System.nanoTime();
            double rate = (s.answered() - lastAnswered) / ((now - lastTime) / 1e9);
            lastAnswered = s.answered();
            lastTime = now;
            String line = String.format("sent %,d/%,d  classified %,d  dead-lettered %,d  %,.0f img/s  p50 %.0f ms  p99 %.0f ms  accuracy %s",
                    sent.getAsInt(), total, s.classified(), s.deadLettered(), rate, s.p50Ms(), s.p99Ms(),
                    Double.isNaN(s.accuracy()) ? "-" : String.format("%.2f%%", 100 * s.accuracy()));
            err.print(terminal ? "\r" + line + "   " : line + System.lineSeparator());
            err.flush();
        }
        if (terminal) {
            err.println();
        }
    }

    void stop() {
        stopped = true;
    }
}
