package io.fashionstream.core.drift;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriftStatisticsTest {
    private static final double[] UNIFORM = {0.25, 0.25, 0.25, 0.25};

    @Test
    void equalDistributionsHaveNoDistance() {
        assertEquals(0, DriftStatistics.populationStability(UNIFORM, UNIFORM), 1e-12);
        assertEquals(0, DriftStatistics.jensenShannon(UNIFORM, UNIFORM), 1e-12);
    }

    @Test
    void populationStabilityMatchesItsDefinition() {
        double[] observed = {0.4, 0.3, 0.2, 0.1};
        double expected = (0.4 - 0.25) * Math.log(0.4 / 0.25) + (0.3 - 0.25) * Math.log(0.3 / 0.25)
                + (0.2 - 0.25) * Math.log(0.2 / 0.25) + (0.1 - 0.25) * Math.log(0.1 / 0.25);
        assertEquals(expected, DriftStatistics.populationStability(UNIFORM, observed), 1e-12);
        assertEquals(0.2282, expected, 1e-4);
    }

    @Test
    void oneClassOnlyIsASignificantShiftAndStaysFinite() {
        double[] tenClasses = new double[10];
        java.util.Arrays.fill(tenClasses, 0.1);
        double[] oneClass = new double[10];
        oneClass[3] = 1;
        double psi = DriftStatistics.populationStability(tenClasses, oneClass);
        // 0.9 * ln(10) for the class that took everything, 9 * (0.1 - 1e-4) * ln(0.1 / 1e-4) for the rest
        assertEquals(0.9 * Math.log(10) + 9 * (0.1 - 1e-4) * Math.log(1000), psi, 1e-9);
        assertTrue(psi > 0.25);
    }

    @Test
    void jensenShannonIsOneForDisjointDistributions() {
        assertEquals(1, DriftStatistics.jensenShannon(new double[]{1, 0}, new double[]{0, 1}), 1e-12);
        // half the mass moved: known value 0.311278
        assertEquals(0.311278, DriftStatistics.jensenShannon(new double[]{1, 0}, new double[]{0.5, 0.5}), 1e-6);
    }

    @Test
    void ksTellsASameDistributionFromAShiftedOne() {
        Random random = new Random(1);
        double[] reference = new double[1000];
        double[] same = new double[1000];
        double[] shifted = new double[1000];
        for (int i = 0; i < 1000; i++) {
            reference[i] = random.nextGaussian();
            same[i] = random.nextGaussian();
            shifted[i] = random.nextGaussian() + 0.3;
        }
        double dSame = DriftStatistics.ksStatistic(reference, same);
        double dShifted = DriftStatistics.ksStatistic(reference, shifted);
        assertTrue(dSame < 0.06, "D " + dSame);
        assertTrue(DriftStatistics.ksPValue(dSame, 1000, 1000) > 0.01);
        // a 0.3 sd shift moves the CDF by about 0.12 at its steepest
        assertEquals(0.12, dShifted, 0.04);
        assertTrue(DriftStatistics.ksPValue(dShifted, 1000, 1000) < 1e-4);
    }

    @Test
    void ksStatisticIsTheLargestGapBetweenTheCdfs() {
        // CDFs: {1,2,3,4} vs {3,4,5,6}: at 2 the first is at 0.5, the second at 0
        assertEquals(0.5, DriftStatistics.ksStatistic(new double[]{1, 2, 3, 4}, new double[]{3, 4, 5, 6}), 1e-12);
        assertEquals(1, DriftStatistics.ksStatistic(new double[]{1, 2}, new double[]{3, 4}), 1e-12);
    }
}
