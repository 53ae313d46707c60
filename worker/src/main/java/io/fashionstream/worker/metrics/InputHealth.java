package io.fashionstream.worker.metrics;

import io.fashionstream.core.image.PhotoMeasurements;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Histograms of what the photo conversion measured on each classified photo: a new studio (another
 * background or lighting), a resize step gone wrong (the article filling the frame, or a speck in
 * it) or a washed-out camera show here before accuracy moves.
 */
public final class InputHealth implements MeterBinder {
    private static final double[] LEVEL_BUCKETS = {32, 64, 96, 128, 160, 192, 208, 224, 232, 240, 248, 256};
    private static final double[] NOISE_BUCKETS = {0.5, 1, 2, 3, 4, 6, 8, 12, 16, 32};
    private static final double[] SHARE_BUCKETS = {0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};
    private static final double[] GAIN_BUCKETS = {1, 1.05, 1.1, 1.25, 1.5, 2, 3, 4, 8, 16, 32};

    private DistributionSummary level;
    private DistributionSummary noise;
    private DistributionSummary share;
    private DistributionSummary gain;

    @Override
    public void bindTo(MeterRegistry registry) {
        level = summary(registry, "fashion.photo.background.level", LEVEL_BUCKETS,
                "Photo background's gray level (0-255) at its centre, from its border");
        noise = summary(registry, "fashion.photo.background.noise", NOISE_BUCKETS,
                "Photo background's noise on its border (gray levels, one standard deviation)");
        share = summary(registry, "fashion.photo.article.share", SHARE_BUCKETS,
                "The article's box as a share of the photo's area");
        gain = summary(registry, "fashion.photo.stretch.gain", GAIN_BUCKETS,
                "How much the intensities were stretched so that the brightest pixel is 255");
    }

    /** Records one converted photo; inputs used as they are have nothing to record. */
    public void record(PhotoMeasurements m) {
        if (level == null || !m.photo()) {
            return;
        }
        level.record(m.backgroundLevel());
        noise.record(m.backgroundNoise());
        share.record(m.articleShare());
        gain.record(m.stretchGain());
    }

    private static DistributionSummary summary(MeterRegistry registry, String name, double[] buckets, String description) {
        return DistributionSummary.builder(name).description(description).serviceLevelObjectives(buckets)
                .register(registry);
    }
}
