package io.fashionstream.worker.kafka;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerStatusTest {
    private static final Duration LIMIT = Duration.ofSeconds(15);

    @Test
    void aJoinedWorkerThatKeepsUpIsFine() {
        assertTrue(new WorkerStatus("w", true, 40, 0.2, 3, null).problem(LIMIT).isEmpty());
        assertTrue(new WorkerStatus("w", true, 0, 600, 3, null).problem(LIMIT).isEmpty(), "idle is not stuck");
    }

    @Test
    void eachProblemIsNamed() {
        assertEquals("has not joined the consumer group yet",
                new WorkerStatus("w", false, 0, 0, Double.NaN, null).problem(LIMIT).orElseThrow());
        assertEquals("holds 12 input(s) it has not been able to answer for 20 s",
                new WorkerStatus("w", true, 12, 20, 1, null).problem(LIMIT).orElseThrow());
        assertTrue(new WorkerStatus("w", true, 0, 0, 31, null).problem(LIMIT).orElseThrow()
                .startsWith("no heartbeat reached the group coordinator for 31 s"));
        // Fixed words, never the error's own text (which may carry anything) on an unauthenticated endpoint.
        assertEquals("failed with a fatal error (its log says which)", new WorkerStatus("w", true, 0, 0, 1,
                new RuntimeException("fenced\r\ninternal detail")).problem(LIMIT).orElseThrow());
    }

    @Test
    void brokerSilenceBeforeTheFirstHeartbeatIsUnknownNotAProblem() {
        assertTrue(new WorkerStatus("w", true, 0, 0, Double.NaN, null).problem(LIMIT).isEmpty());
    }
}
