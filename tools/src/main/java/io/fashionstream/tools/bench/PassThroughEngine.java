package io.fashionstream.tools.bench;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.Prediction;

import java.util.ArrayList;
import java.util.List;

/**
 * An engine that does no inference: every image gets the same prediction. Run by the same pool
 * as the real engines, it measures the "Kafka ceiling": what the broker, the clients and the
 * worker's own plumbing (decoding included) allow on this machine, with the network taken out.
 */
final class PassThroughEngine implements InferenceEngine {
    private static final float[] SCORES = uniformScores();

    @Override
    public List<Prediction> batchPredict(float[] pixels, int count) {
        List<Prediction> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new Prediction(0, SCORES[0], SCORES));
        }
        return out;
    }

    private static float[] uniformScores() {
        float[] scores = new float[FashionClass.COUNT];
        java.util.Arrays.fill(scores, 1f / FashionClass.COUNT);
        return scores;
    }

    @Override
    public InferenceEngine copy() {
        return new PassThroughEngine();
    }

    @Override
    public String name() {
        return "pass-through";
    }

    @Override
    public void close() {
    }
}
