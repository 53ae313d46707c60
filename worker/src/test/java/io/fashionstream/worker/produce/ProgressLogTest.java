package io.fashionstream.worker.produce;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** produce's progress off a terminal: plain lines, no control codes, nothing repeated at the end. */
class ProgressLogTest {
    @Test
    void aPlainLineWithoutControlCodesAndNothingPrintedAtClose() {
        StringWriter printed = new StringWriter();
        ProgressLog log = new ProgressLog(new PrintWriter(printed), 10_000, Duration.ofHours(1));
        for (int i = 0; i < 1200; i++) {
            log.step();
        }
        String line = log.line();
        log.close();
        assertTrue(line.matches("sent 1,200/10,000 images, [0-9,]+/s"), line);
        assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "printable ASCII only: " + line);
        assertEquals("", printed.toString(), "the summary line says how it ended; close adds nothing");
    }

    @Test
    void loopingUntilStoppedHasNoTotal() {
        ProgressLog log = new ProgressLog(new PrintWriter(new StringWriter()), Long.MAX_VALUE, Duration.ofHours(1));
        log.step();
        assertTrue(log.line().startsWith("sent 1 images, "), log.line());
        log.close();
    }
}
