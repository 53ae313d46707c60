package io.fashionstream.worker.batch;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MicroBatchTest {
    private static final long MS = 1_000_000L;

    @Test
    void sizeTriggerFiresWhenFull() {
        MicroBatch<Integer> batch = new MicroBatch<>(3, 50);
        batch.add(1, 0);
        batch.add(2, 1 * MS);
        assertFalse(batch.isReady(2 * MS));
        batch.add(3, 2 * MS);
        assertTrue(batch.isReady(2 * MS), "full before the wait is over");
        assertEquals(0, batch.millisUntilDue(2 * MS, 100));
        assertThrows(IllegalStateException.class, () -> batch.add(4, 3 * MS));
        assertEquals(List.of(1, 2, 3), batch.drain());
        assertTrue(batch.isEmpty());
    }

    @Test
    void timeTriggerFiresMaxWaitAfterTheFirstArrival() {
        MicroBatch<String> batch = new MicroBatch<>(100, 20);
        batch.add("a", 1_000 * MS);
        assertEquals(20, batch.millisUntilDue(1_000 * MS, 500));
        batch.add("b", 1_015 * MS);
        assertEquals(5, batch.millisUntilDue(1_015 * MS, 500), "the clock runs from the first item, not the last");
        assertFalse(batch.isReady(1_019 * MS));
        assertTrue(batch.isReady(1_020 * MS));
        assertEquals(List.of("a", "b"), batch.drain());
    }

    @Test
    void anEmptyBatchIsNeverReadyAndPollsForTheIdleTime() {
        MicroBatch<String> batch = new MicroBatch<>(8, 0);
        assertFalse(batch.isReady(Long.MAX_VALUE));
        assertEquals(250, batch.millisUntilDue(0, 250));
        batch.add("x", 5 * MS);
        assertTrue(batch.isReady(5 * MS), "a zero wait sends every record at once");
    }

    @Test
    void theClockRestartsAfterADrain() {
        MicroBatch<String> batch = new MicroBatch<>(8, 10);
        batch.add("old", 0);
        batch.drain();
        batch.add("new", 100 * MS);
        assertFalse(batch.isReady(105 * MS));
        assertEquals(5, batch.millisUntilDue(105 * MS, 1000));
    }

    @Test
    void aLimitNarrowsBothTriggersWithinTheConfiguredOnesAndTheEarliestArrivalStartsTheClock() {
        MicroBatch<String> batch = new MicroBatch<>(8, 10);
        batch.limit(3, 4 * MS);
        batch.add("late", 100 * MS);
        batch.add("read late, sent early", 98 * MS);
        assertEquals(98 * MS, batch.firstArrivalNanos());
        assertEquals(2, batch.millisUntilDue(100 * MS, 1000), "4 ms from the earliest arrival");
        batch.add("third", 100 * MS);
        assertTrue(batch.isFull(), "three is the limit now");
        batch.drain();

        batch.limit(100, 50 * MS);
        batch.add("a", 0);
        assertEquals(10, batch.millisUntilDue(0, 1000), "never past the configured wait");
        for (int i = 1; i < 8; i++) {
            batch.add("x", 0);
        }
        assertTrue(batch.isFull(), "never past the configured size");
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MicroBatch<>(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new MicroBatch<>(1, -1));
    }
}
