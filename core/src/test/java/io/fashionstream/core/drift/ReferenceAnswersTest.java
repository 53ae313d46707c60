package io.fashionstream.core.drift;

import io.fashionstream.core.inference.Prediction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ReferenceAnswersTest {
    @Test
    void thresholdIsWhereTheAnswersUnderItAreRightAtMostHalfTheTime() {
        // confidences 0.1 .. 1.0; the four least sure are wrong, the rest right
        double[] confidence = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
        boolean[] correct = {false, false, false, false, true, true, true, true, true, true};
        // under 0.9: 4 wrong of 8 (half right) is the last cut that qualifies; under 1.0, 5 of 9 right
        assertEquals(0.9, ReferenceAnswers.reviewThreshold(confidence, correct), 1e-12);
    }

    @Test
    void thresholdHasAFloor() {
        double[] confidence = {0.3, 0.9, 0.95};
        boolean[] correct = {true, true, true};
        assertEquals(ReferenceAnswers.MIN_REVIEW_THRESHOLD, ReferenceAnswers.reviewThreshold(confidence, correct));
    }

    @Test
    void profileCountsClassesAccuracyAndReviewShare() {
        List<Prediction> answers = new ArrayList<>();
        byte[] truth = new byte[4];
        answers.add(answer(0, 0.95f));
        answers.add(answer(0, 0.5f));
        answers.add(answer(1, 0.3f));
        answers.add(answer(2, 0.99f));
        truth[0] = 0;
        truth[1] = 1; // wrong, and under the threshold
        truth[2] = 1; // right, under the threshold
        truth[3] = 2;
        AnswerProfile p = ReferenceAnswers.profile(answers, truth, 0.6);
        assertEquals(4, p.count());
        assertEquals(0.75, p.accuracy());
        assertEquals(0.5, p.classShares()[0]);
        assertEquals(0.25, p.classShares()[1]);
        assertEquals(0.5, p.reviewShare());
        assertEquals(0.5, p.reviewAccuracy());
        assertEquals(ReferenceAnswers.QUANTILES, p.confidenceQuantiles().length);
        assertEquals(0.3, p.confidenceQuantiles()[0], 1e-6);
        assertEquals(0.99, p.confidenceQuantiles()[ReferenceAnswers.QUANTILES - 1], 1e-6);
        assertNull(ReferenceAnswers.profile(answers, truth, 0.1).reviewAccuracy());
    }

    @Test
    void quantilesAreNearestRank() {
        assertArrayEquals(new double[]{1, 3, 5}, ReferenceAnswers.quantiles(new double[]{5, 4, 3, 2, 1}, 3));
    }

    private static Prediction answer(int label, float confidence) {
        float[] scores = new float[10];
        scores[label] = confidence;
        return new Prediction(label, confidence, scores);
    }
}
