package io.fashionstream.core.inference;

import io.fashionstream.core.FashionClass;

/** One image's classification: the most likely class, its probability and all ten scores. */
public record Prediction(int label, float confidence, float[] scores) {

    public FashionClass fashionClass() {
        return FashionClass.of(label);
    }

    /** Picks the arg-max of a row of softmax scores. */
    public static Prediction fromScores(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return new Prediction(best, scores[best], scores);
    }
}
