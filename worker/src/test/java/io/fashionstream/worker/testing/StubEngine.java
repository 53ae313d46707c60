package io.fashionstream.worker.testing;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.inference.Prediction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An engine for tests of the batch path, with no model: it predicts the class {@link #classOf}
 * names for an image (its mean brightness, in tenths), so a test can tell which image a
 * prediction came from, counts its forward passes, and fails them on request.
 */
public final class StubEngine implements InferenceEngine {
    private final AtomicInteger passes = new AtomicInteger();
    private volatile boolean failing;

    @Override
    public List<Prediction> batchPredict(float[] pixels, int count) throws InferenceException {
        InferenceEngine.checkFits(pixels, count);
        passes.incrementAndGet();
        if (failing) {
            throw new InferenceException("the stub engine was told to fail", null);
        }
        List<Prediction> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] scores = new float[FashionClass.COUNT];
            scores[classOf(pixels, i * PIXELS)] = 1f;
            out.add(Prediction.fromScores(scores));
        }
        return out;
    }

    /** The class this engine predicts for the image at {@code offset}: its mean brightness in tenths. */
    public static int classOf(float[] pixels, int offset) {
        double sum = 0;
        for (int p = 0; p < PIXELS; p++) {
            sum += pixels[offset + p];
        }
        return Math.min(FashionClass.COUNT - 1, (int) (sum / PIXELS * FashionClass.COUNT));
    }

    /** Forward passes run so far. */
    public int passes() {
        return passes.get();
    }

    /** Makes every later forward pass fail (true) or succeed. */
    public void failing(boolean fail) {
        failing = fail;
    }

    @Override
    public InferenceEngine copy() {
        return new StubEngine();
    }

    @Override
    public String name() {
        return "stub";
    }

    @Override
    public void close() {
    }
}
