package io.fashionstream.worker.metrics;

/** Accuracy over the last {@code window} labelled inputs; NaN until the first one. Thread-safe. */
public final class RollingAccuracy {
    private final boolean[] ring;
    private int next;
    private int filled;
    private int correct;

    public RollingAccuracy(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, not " + window);
        }
        ring = new boolean[window];
    }

    public synchronized void record(boolean wasCorrect) {
        if (filled == ring.length) {
            if (ring[next]) {
                correct--;
            }
        } else {
            filled++;
        }
        ring[next] = wasCorrect;
        if (wasCorrect) {
            correct++;
        }
        next = (next + 1) % ring.length;
    }

    /** How many inputs the window holds now (at most its size). */
    public synchronized int count() {
        return filled;
    }

    /** How many inputs of the window were recorded as correct. */
    public synchronized int hits() {
        return correct;
    }

    public synchronized double value() {
        return filled == 0 ? Double.NaN : (double) correct / filled;
    }
}
