package io.fashionstream.worker.metrics;

import io.fashionstream.core.drift.Reference;
import io.fashionstream.core.image.PhotoMeasurements;
import io.fashionstream.core.inference.Prediction;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Prediction drift without labels: the served release's recent answers, raw and photo inputs
 * apart, against the held-out reference in its model card (docs/design.md, "Drift"). Each window
 * holds the last {@link #WINDOW_ANSWERS} answers of its kind that are at most {@link #WINDOW_AGE}
 * old; with fewer than {@link #MIN_ANSWERS} its statistics are NaN, which no alert fires on. The
 * gauges compute on scrape, at most once a second per window. Thread-safe.
 */
public final class DriftMonitor implements MeterBinder {
    /** Answers per window: enough for the KS test to see a 0.07 shift at p 0.001, few enough to turn over in minutes. */
    public static final int WINDOW_ANSWERS = 1000;
    /** What an answer older than this no longer says about the traffic. */
    public static final Duration WINDOW_AGE = Duration.ofMinutes(10);
    /** Fewer answers than this in a window and its statistics are NaN. */
    public static final int MIN_ANSWERS = 200;
    private static final long CACHE_MILLIS = 1000;

    private final String model;
    private final String version;
    private final double reviewThreshold;
    private final Cached raw;
    private final Cached photo;

    public DriftMonitor(String model, String version, Reference reference, double reviewThreshold,
                        LongSupplier clockMillis) {
        this.model = model;
        this.version = version;
        this.reviewThreshold = reviewThreshold;
        this.raw = new Cached(window(reference, false, reviewThreshold, clockMillis), clockMillis);
        this.photo = new Cached(window(reference, true, reviewThreshold, clockMillis), clockMillis);
    }

    private static AnswerWindow window(Reference reference, boolean photo, double threshold, LongSupplier clock) {
        return new AnswerWindow(reference.profile(photo), threshold, WINDOW_ANSWERS, MIN_ANSWERS,
                WINDOW_AGE.toMillis(), clock);
    }

    /** Counts one committed answer in the window of its kind of input. */
    public void record(Prediction prediction, PhotoMeasurements measured) {
        (measured.photo() ? photo : raw).window.record(prediction.label(), prediction.confidence());
    }

    /** The window of raw ({@code false}) or photo inputs now. */
    public DriftSnapshot snapshot(boolean photoInputs) {
        return (photoInputs ? photo : raw).get();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        register(registry);
    }

    /** Registers the gauges and returns them, so that they can be removed when the release leaves. */
    public List<Meter> register(MeterRegistry registry) {
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("fashion.review.threshold", () -> reviewThreshold)
                .description("Answers less confident than this go to the review topic")
                .tags("model", model, "version", version)
                .register(registry));
        bind(registry, "raw", raw, meters);
        bind(registry, "photo", photo, meters);
        return meters;
    }

    private void bind(MeterRegistry registry, String input, Cached window, List<Meter> meters) {
        meters.add(gauge(registry, input, window, "fashion.drift.window.answers", s -> s.answers(),
                "Answers in the drift window (the last " + WINDOW_ANSWERS + ", at most " + WINDOW_AGE.toMinutes()
                        + " minutes old)"));
        meters.add(gauge(registry, input, window, "fashion.drift.class.psi", DriftSnapshot::classPsi,
                "Population stability index of the window's predicted classes against the model card's"));
        meters.add(gauge(registry, input, window, "fashion.drift.class.js", DriftSnapshot::classJs,
                "Jensen-Shannon divergence (base 2) of the window's predicted classes from the model card's"));
        meters.add(gauge(registry, input, window, "fashion.drift.confidence.ks", DriftSnapshot::confidenceKs,
                "Kolmogorov-Smirnov statistic of the window's confidences against the model card's"));
        meters.add(gauge(registry, input, window, "fashion.drift.confidence.ks.pvalue", DriftSnapshot::confidenceP,
                "p-value of that Kolmogorov-Smirnov statistic"));
        meters.add(gauge(registry, input, window, "fashion.low.confidence.share", DriftSnapshot::lowConfidence,
                "Share of the window's answers under the review threshold"));
        meters.add(Gauge.builder("fashion.reference.low.confidence.share", window.window::referenceReviewShare)
                .description("Share of the model card's held-out answers under the review threshold")
                .tags("model", model, "version", version, "input", input)
                .register(registry));
    }

    private Gauge gauge(MeterRegistry registry, String input, Cached window, String name,
                       ToDoubleFunction<DriftSnapshot> value, String description) {
        return Gauge.builder(name, window, w -> value.applyAsDouble(w.get()))
                .description(description)
                .tags("model", model, "version", version, "input", input)
                .register(registry);
    }

    /** A window's snapshot, recomputed at most once a second: one scrape reads six gauges of it. */
    private static final class Cached {
        final AnswerWindow window;
        private final LongSupplier clock;
        private DriftSnapshot last;
        private long takenAt;

        Cached(AnswerWindow window, LongSupplier clock) {
            this.window = window;
            this.clock = clock;
        }

        synchronized DriftSnapshot get() {
            long now = clock.getAsLong();
            if (last == null || now - takenAt >= CACHE_MILLIS || now < takenAt) {
                last = window.snapshot();
                takenAt = now;
            }
            return last;
        }
    }
}
