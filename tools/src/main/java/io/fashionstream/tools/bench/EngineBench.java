package io.fashionstream.tools.bench;

import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.InferenceException;

import java.time.Duration;
import java.util.Random;

/**
 * Forward-pass throughput of one engine at one batch size, on the worker's own path
 * ({@link InferenceEngine#batchPredict(float[], int)} from a preallocated buffer): fixed
 * pseudo-random images, a warm-up, then as many passes as fit in the measuring time.
 */
public final class EngineBench {
    private final InferenceEngine classifier;
    private final Duration warmup;
    private final Duration measure;

    public EngineBench(InferenceEngine classifier, Duration warmup, Duration measure) {
        this.classifier = classifier;
        this.warmup = warmup;
        this.measure = measure;
    }

    /** One measured point. */
    public record Point(int batchSize, long images, double seconds, double imagesPerSec, double msPerBatch) {
    }

    public Point run(int batchSize) throws InferenceException {
        float[] buffer = new float[batchSize * InferenceEngine.PIXELS];
        Random random = new Random(42);
        for (int i = 0; i < buffer.length; i++) {
            buffer[i] = random.nextFloat();
        }
        passesFor(warmup, buffer, batchSize);
        long start = System.nanoTime();
        long passes = passesFor(measure, buffer, batchSize);
        double seconds = (System.nanoTime() - start) / 1e9;
        long images = passes * batchSize;
        return new Point(batchSize, images, seconds, images / seconds, seconds * 1000 / passes);
    }

    /** Runs passes until {@code time} has gone by (at least one). */
    private long passesFor(Duration time, float[] buffer, int batchSize) throws InferenceException {
        long end = System.nanoTime() + time.toNanos();
        long passes = 0;
        do {
            classifier.batchPredict(buffer, batchSize);
            passes++;
        } while (System.nanoTime() < end);
        return passes;
    }
}
