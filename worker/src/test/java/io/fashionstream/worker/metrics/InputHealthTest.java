package io.fashionstream.worker.metrics;

import io.fashionstream.core.image.PhotoMeasurements;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InputHealthTest {
    @Test
    void eachMeasurementLandsInTheBucketOfItsValue() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InputHealth health = new InputHealth();
        health.bindTo(registry);
        health.record(new PhotoMeasurements(true, 247.4, 2.5, 0.33, 1.42));
        health.record(PhotoMeasurements.NONE); // raw pixels: nothing to record

        // a share of 0.33 is 33 percent: in the 40 bucket, not rounded up into the top one
        assertEquals(1, countAt(registry, "fashion.photo.article.percent", 40));
        assertEquals(0, countAt(registry, "fashion.photo.article.percent", 30));
        assertEquals(1, countAt(registry, "fashion.photo.stretch.percent", 150));
        assertEquals(0, countAt(registry, "fashion.photo.stretch.percent", 125));
        assertEquals(1, countAt(registry, "fashion.photo.background.level", 248));
        assertEquals(1, countAt(registry, "fashion.photo.background.noise", 3));
        assertEquals(1, registry.get("fashion.photo.background.noise").summary().count());
    }

    private static double countAt(SimpleMeterRegistry registry, String name, double bucket) {
        for (CountAtBucket c : registry.get(name).summary().takeSnapshot().histogramCounts()) {
            if (c.bucket() == bucket) {
                return c.count();
            }
        }
        throw new AssertionError("no bucket " + bucket + " in " + name);
    }
}
