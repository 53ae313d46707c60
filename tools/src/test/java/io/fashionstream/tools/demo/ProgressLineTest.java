package io.fashionstream.tools.demo;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The demo's live line: the summary's rate, and a dash, never NaN, for what is not known yet. */
class ProgressLineTest {
    private final ProgressLine progress = new ProgressLine(new PrintWriter(new StringWriter()), 10_000);

    @Test
    void beforeAnyAnswerTheLatenciesAndAccuracyAreADash() {
        ResultTally.Snapshot none = new ResultTally.Snapshot(0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, 0, 0);
        assertEquals("sent 1,505/10,000  classified 0  dead-lettered 0  0 img/s  p50 -  p99 -  accuracy -",
                progress.line(none, 1505, 1000));
    }

    @Test
    void theRateIsTheSummarysAnswersPerSecondFromTheFirstSendToTheLatestAnswer() {
        // First image sent at 0 ms, latest answer at 4,000 ms: 2,000 answers in 4 s, however late the line is printed.
        ResultTally.Snapshot some = new ResultTally.Snapshot(1990, 10, 1800, 1990, 0, 120, 300, 450, 40, 63.5, 1000, 4000);
        assertEquals("sent 4,000/10,000  classified 1,990  dead-lettered 10  500 img/s  p50 120 ms  p99 450 ms  accuracy 90.45%",
                progress.line(some, 4000, 0));
    }
}
