package io.fashionstream.worker.metrics;

import io.fashionstream.core.drift.AnswerProfile;
import io.fashionstream.core.drift.DriftStatistics;

import java.util.function.LongSupplier;

/**
 * The most recent answers of one kind of input (raw or photo), sized by count and by time: at
 * most {@code capacity} answers, none older than {@code maxAgeMillis}. {@link #snapshot} compares
 * them with the model card's profile for that kind. Thread-safe.
 */
public final class AnswerWindow {
    private final AnswerProfile reference;
    private final double reviewThreshold;
    private final int minAnswers;
    private final long maxAgeMillis;
    private final LongSupplier clockMillis;
    private final int[] classes;
    private final float[] confidences;
    private final long[] times;
    private int next;
    private int size;

    /**
     * @param minAnswers   fewer answers than this in the window: the statistics are NaN (too few to mean anything)
     * @param clockMillis  the wall clock, in milliseconds
     */
    public AnswerWindow(AnswerProfile reference, double reviewThreshold, int capacity, int minAnswers,
                        long maxAgeMillis, LongSupplier clockMillis) {
        if (capacity < 1 || minAnswers < 1 || minAnswers > capacity) {
            throw new IllegalArgumentException("a window of " + capacity + " answers, at least " + minAnswers);
        }
        this.reference = reference;
        this.reviewThreshold = reviewThreshold;
        this.minAnswers = minAnswers;
        this.maxAgeMillis = maxAgeMillis;
        this.clockMillis = clockMillis;
        this.classes = new int[capacity];
        this.confidences = new float[capacity];
        this.times = new long[capacity];
    }

    public synchronized void record(int predictedClass, float confidence) {
        classes[next] = predictedClass;
        confidences[next] = confidence;
        times[next] = clockMillis.getAsLong();
        next = (next + 1) % classes.length;
        size = Math.min(size + 1, classes.length);
    }

    /** The window now against the card: distances, the confidence test and the share under the review threshold. */
    public DriftSnapshot snapshot() {
        int n;
        int[] cls;
        double[] conf;
        synchronized (this) {
            long oldest = clockMillis.getAsLong() - maxAgeMillis;
            // newest first, back until the count or the age runs out
            cls = new int[size];
            conf = new double[size];
            n = 0;
            for (int k = 1; k <= size; k++) {
                int i = Math.floorMod(next - k, classes.length);
                if (times[i] < oldest) {
                    break;
                }
                cls[n] = classes[i];
                conf[n] = confidences[i];
                n++;
            }
        }
        if (n < minAnswers) {
            return DriftSnapshot.tooFew(n);
        }
        double[] shares = new double[reference.classShares().length];
        int under = 0;
        double[] sample = new double[n];
        for (int i = 0; i < n; i++) {
            shares[cls[i]] += 1.0 / n;
            sample[i] = conf[i];
            under += conf[i] < reviewThreshold ? 1 : 0;
        }
        double ks = DriftStatistics.ksStatistic(reference.confidenceSample(), sample);
        return new DriftSnapshot(n, DriftStatistics.populationStability(reference.classShares(), shares),
                DriftStatistics.jensenShannon(reference.classShares(), shares), ks,
                DriftStatistics.ksPValue(ks, reference.confidenceQuantiles().length, n), (double) under / n);
    }

    /** The card's share of answers under the review threshold for this kind of input. */
    public double referenceReviewShare() {
        return reference.reviewShare();
    }
}
