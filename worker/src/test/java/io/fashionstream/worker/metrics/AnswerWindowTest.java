package io.fashionstream.worker.metrics;

import io.fashionstream.core.drift.AnswerProfile;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnswerWindowTest {
    private static final double[] EVEN = evenShares();
    /** Confidences uniform on [0.5, 1]: 501 quantiles. */
    private static final AnswerProfile CARD = new AnswerProfile(10_000, 0.9, EVEN, uniformQuantiles(0.5, 1.0),
            0.1, 0.4);
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final Random random = new Random(7);

    @Test
    void trafficLikeTheCardDoesNotDrift() {
        AnswerWindow window = new AnswerWindow(CARD, 0.55, 1000, 200, 60_000, clock::get);
        for (int i = 0; i < 1000; i++) {
            window.record(random.nextInt(10), 0.5f + 0.5f * random.nextFloat());
        }
        DriftSnapshot s = window.snapshot();
        assertEquals(1000, s.answers());
        assertTrue(s.classPsi() < 0.05, "PSI " + s.classPsi());
        assertTrue(s.confidenceP() > 0.001, "p " + s.confidenceP());
        assertEquals(0.1, s.lowConfidence(), 0.03, "a tenth under 0.55");
    }

    @Test
    void oneClassOnlyAndLowConfidenceAreDrift() {
        AnswerWindow window = new AnswerWindow(CARD, 0.55, 1000, 200, 60_000, clock::get);
        for (int i = 0; i < 500; i++) {
            window.record(4, 0.5f + 0.1f * random.nextFloat());
        }
        DriftSnapshot s = window.snapshot();
        assertTrue(s.classPsi() > 0.25, "PSI " + s.classPsi());
        assertTrue(s.classJs() > 0.5, "JS " + s.classJs());
        assertTrue(s.confidenceKs() > 0.7, "KS " + s.confidenceKs());
        assertTrue(s.confidenceP() < 1e-6, "p " + s.confidenceP());
        assertEquals(0.5, s.lowConfidence(), 0.06);
    }

    @Test
    void theWindowKeepsTheLastAnswersByCountAndByAge() {
        AnswerWindow window = new AnswerWindow(CARD, 0.55, 300, 200, 60_000, clock::get);
        for (int i = 0; i < 300; i++) {
            window.record(4, 0.51f); // old traffic: one class, unsure
        }
        for (int i = 0; i < 300; i++) {
            window.record(random.nextInt(10), 0.5f + 0.5f * random.nextFloat());
        }
        assertTrue(window.snapshot().classPsi() < 0.1, "the newer 300 pushed the older out");
        clock.addAndGet(30_000);
        for (int i = 0; i < 150; i++) {
            window.record(4, 0.51f);
        }
        clock.addAndGet(31_000); // the 300 normal ones are now over a minute old
        DriftSnapshot s = window.snapshot();
        assertEquals(150, s.answers(), "only the answers of the last minute count");
        assertTrue(Double.isNaN(s.classPsi()), "under 200 answers: no statistics");
        assertTrue(Double.isNaN(s.confidenceP()));
    }

    private static double[] evenShares() {
        double[] shares = new double[10];
        Arrays.fill(shares, 0.1);
        return shares;
    }

    private static double[] uniformQuantiles(double from, double to) {
        double[] q = new double[501];
        for (int i = 0; i < q.length; i++) {
            q[i] = from + (to - from) * i / 500.0;
        }
        return q;
    }
}
