package io.fashionstream.tools.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AnswerTimelineTest {
    private static final long S = 1_000_000_000L;

    @Test
    void theLongestPauseIsTheLongestGapInTheWindowCountingFromItsStart() {
        AnswerTimeline t = new AnswerTimeline();
        // Partitions 0 and 1 answered every 100 ms until 10 s; partition 1 stops at 10 s, partition 0
        // pauses from 10 s to 12.5 s and then goes on.
        for (long ms = 0; ms <= 20_000; ms += 100) {
            if (ms <= 10_000 || ms >= 12_500) {
                t.add(0, ms * 1_000_000);
            }
            if (ms <= 10_000) {
                t.add(1, ms * 1_000_000);
            }
        }
        assertEquals(2.5, t.longestPause(9 * S, 20 * S), 1e-9);
        assertEquals(0.1, t.longestPause(0, 10 * S), 1e-9);
        assertEquals(2.45, t.longestPause(10_050_000_000L, 20 * S), 1e-9, "from the window's start, not the last answer before");
        assertEquals(10.0, t.slowestPartitionPause(9 * S, 20 * S), 1e-9, "partition 1 has had nothing since 10 s");
    }

    @Test
    void everyPartitionIsBackWhenTheLastOneThatHadInputAnswersAgain() {
        AnswerTimeline t = new AnswerTimeline();
        t.add(0, S);
        t.add(1, S);
        t.add(0, 3 * S);   // partition 0 back 1 s after the crash at 2 s
        t.add(1, 6 * S);   // partition 1 back 4 s after it
        t.add(2, 7 * S);   // partition 2 had no input before the crash: not waited for
        assertEquals(4.0, t.allPartitionsBack(2 * S, 10 * S), 1e-9);
        assertEquals(2.0, t.allPartitionsBack(2 * S, 4 * S), 1e-9, "one not back by the window's end: the whole window");
    }

    @Test
    void aWindowWithoutAnswersIsOnePause() {
        AnswerTimeline t = new AnswerTimeline();
        t.add(0, 0);
        assertEquals(5.0, t.longestPause(S, 6 * S), 1e-9);
    }
}
