package io.fashionstream.worker.metrics;

import io.fashionstream.core.image.PhotoMeasurements;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Histograms of what the photo conversion measured on each classified photo: a new studio (another
 * background or lighting), a resize step gone wrong (the article filling the frame, or a speck in
 * it) or a washed-out camera show here before accuracy moves. Micrometer counts a summary's value
 * into its buckets rounded up to a whole number, so the share and the gain are recorded in percent
 * and the levels in whole gray levels.
 */
public final class InputHealth implements MeterBinder {
    private static final double[] LEVEL_BUCKETS = {32, 64, 96, 128, 160, 192, 208, 224, 232, 240, 248, 256};
    private static final double[] NOISE_BUCKETS = {1, 2, 3, 4, 6, 8, 12, 16, 32};
    private static final double[] PERCENT_BUCKETS = {2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    private static final double[] GAIN_PERCENT_BUCKETS = {100, 105, 110, 125, 150, 200, 300, 400, 800, 1600, 3200};

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
        share = summary(registry, "fashion.photo.article.percent", PERCENT_BUCKETS,
                "The article's box as a percentage of the photo's area");
        gain = summary(registry, "fashion.photo.stretch.percent", GAIN_PERCENT_BUCKETS,
                "How much the intensities were stretched so that the brightest pixel is 255, in percent (100: not at all)");
    }

    /** Records one converted photo; inputs used as they are have nothing to record. */
    public void record(PhotoMeasurements m) {
        if (level == null || !m.photo()) {
            return;
        }
        level.record(m.backgroundLevel());
        noise.record(m.backgroundNoise());
        share.record(100 * m.articleShare());
        gain.record(100 * m.stretchGain());
    }

    private static DistributionSummary summary(MeterRegistry registry, String name, double[] buckets, String description) {
        return DistributionSummary.builder(name).description(description).serviceLevelObjectives(buckets)
                .register(registry);
    }
}
