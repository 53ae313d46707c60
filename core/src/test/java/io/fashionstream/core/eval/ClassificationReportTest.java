package io.fashionstream.core.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassificationReportTest {
    @Test
    void computesAccuracyPrecisionRecallAndF1() {
        int[] truth = {0, 0, 0, 1, 1, 2};
        int[] predicted = {0, 0, 1, 1, 1, 0};
        ClassificationReport r = ClassificationReport.of(truth, predicted);
        assertEquals(6, r.samples());
        assertEquals(4.0 / 6, r.accuracy(), 1e-12);
        // class 0: predicted 3 times, 2 right; truly 3, 2 found
        assertEquals(2.0 / 3, r.perClass().get(0).precision(), 1e-12);
        assertEquals(2.0 / 3, r.perClass().get(0).recall(), 1e-12);
        // class 1: predicted 3 times, 2 right; truly 2, both found
        assertEquals(2.0 / 3, r.perClass().get(1).precision(), 1e-12);
        assertEquals(1.0, r.perClass().get(1).recall(), 1e-12);
        assertEquals(0.8, r.perClass().get(1).f1(), 1e-12);
        // class 2 never predicted: zeros, not NaN
        assertEquals(0.0, r.perClass().get(2).precision());
        assertEquals(0.0, r.perClass().get(2).f1());
        assertEquals(1, r.confusion()[2][0]);
        assertEquals("T-shirt/top", r.perClass().get(0).label());
    }
}
