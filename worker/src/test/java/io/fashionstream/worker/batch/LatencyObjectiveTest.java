package io.fashionstream.worker.batch;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cost model and what a latency objective asks of the batcher and the committer, on made-up costs. */
class LatencyObjectiveTest {
    private static final long MS = 1_000_000L;

    /** Batches costing 1 ms plus 0.05 ms an image, at sizes from 8 to 512, and commits of 5 ms. */
    private static BatchCosts measured() {
        BatchCosts costs = new BatchCosts();
        for (int round = 0; round < 20; round++) {
            for (int size = 8; size <= 512; size *= 2) {
                costs.observeBatch(size, MS + size * 50_000L);
            }
            costs.observeCommit(5 * MS);
        }
        return costs;
    }

    @Test
    void theCostModelRecoversAFixedPartAndAPerImagePart() {
        BatchCosts costs = measured();
        assertEquals(1.05 * MS, costs.batchNanos(1), 0.01 * MS);
        assertEquals(51 * MS, costs.batchNanos(1000), 0.1 * MS, "beyond the sizes seen, by the same line");
        assertEquals(5 * MS, costs.commitNanos(), 1);
    }

    @Test
    void oneSizeSeenIsTakenAsProportionalWhichOverstatesLargerBatches() {
        BatchCosts costs = new BatchCosts();
        costs.observeBatch(64, 4 * MS);
        costs.observeBatch(64, 4 * MS);
        costs.observeBatch(64, 4 * MS);
        assertEquals(8 * MS, costs.batchNanos(128), 1);
        assertEquals(0, new BatchCosts().batchNanos(64), "nothing known yet");
    }

    @Test
    void aFreshWorkersFirstBatchAndCommitAreNotCountedAndALaterPauseCountsAtMostFourTimes() {
        BatchCosts costs = new BatchCosts();
        costs.observeBatch(16, 400 * MS); // cold: buffers, compiled code, a first transaction
        costs.observeCommit(300 * MS);
        assertEquals(0, costs.batchNanos(16), "the first batch is not counted");
        assertEquals(0, costs.commitNanos(), "nor the first commit");
        costs.observeBatch(16, MS);
        costs.observeCommit(5 * MS);
        assertEquals(MS, costs.batchNanos(16), 1);
        assertEquals(5 * MS, costs.commitNanos(), 1);

        costs.observeBatch(16, 500 * MS); // a collector pause
        costs.observeCommit(500 * MS);
        assertTrue(costs.batchNanos(16) < 4 * MS, "counted as at most 4 ms: " + costs.batchNanos(16) / MS);
        assertEquals(0.8 * 5 * MS + 0.2 * 20 * MS, costs.commitNanos(), 1, "counted as 20 ms");
    }

    @Test
    void newerBatchesOutweighOlderOnesSoTheFitFollowsASlowerModel() {
        BatchCosts costs = measured();
        for (int round = 0; round < 40; round++) {
            for (int size = 8; size <= 512; size *= 2) {
                costs.observeBatch(size, MS + size * 200_000L);
            }
        }
        assertEquals(MS + 256 * 200_000L, costs.batchNanos(256), 2 * MS);
    }

    @Test
    void theBatchLimitIsTheLargestWhoseTwoPassesAndACommitFitTheBudget() {
        // 100 ms objective: 75 ms budget; 2 (1 + 0.05 n) + 5 <= 75 holds up to n = 680
        LatencyObjective objective = new LatencyObjective(Duration.ofMillis(100), 1024, Duration.ofMillis(60_000), measured());
        assertEquals(680, objective.batchLimit(), 1);
        assertEquals(1024, new LatencyObjective(Duration.ofSeconds(1), 1024, Duration.ofMillis(10), measured()).batchLimit(),
                "never past --max-batch");
        assertEquals(1, new LatencyObjective(Duration.ofMillis(5), 1024, Duration.ofMillis(10), measured()).batchLimit(),
                "an objective under one batch's cost still runs batches of one");
        assertEquals(LatencyObjective.FIRST_BATCH_LIMIT,
                new LatencyObjective(Duration.ofMillis(100), 1024, Duration.ofMillis(10), new BatchCosts()).batchLimit(),
                "small batches until the first are measured");
    }

    @Test
    void theWaitIsWhatTheBudgetLeavesAfterTwoPassesAndACommitWithinMaxWait() {
        LatencyObjective objective = new LatencyObjective(Duration.ofMillis(100), 1024, Duration.ofMillis(60_000), measured());
        // 75 - (2 (1 + 12.8) + 5) = 42.4 ms
        assertEquals(42.4 * MS, objective.waitLimitNanos(256), 0.1 * MS);
        assertEquals(0, objective.waitLimitNanos(1024), "nothing left to wait with");
        assertEquals(10 * MS, new LatencyObjective(Duration.ofMillis(100), 1024, Duration.ofMillis(10), measured())
                .waitLimitNanos(256), "never past --max-wait-ms");
    }

    @Test
    void aUnitCommitsByItsOldestInputsBudgetLessOneCommit() {
        LatencyObjective objective = new LatencyObjective(Duration.ofMillis(100), 1024, Duration.ofMillis(10), measured());
        assertEquals(1_000 * MS + 75 * MS - 5 * MS, objective.commitByNanos(1_000 * MS));
    }

    /** A unit whose oldest input arrived at 0 commits {@code lateMillis} after what the plan allowed it then. */
    private static void commitLate(LatencyObjective objective, double lateMillis) {
        long planned = objective.commitByNanos(0) + (long) objective.costs().commitNanos();
        objective.observeCommitted(0, 0, planned + (long) (lateMillis * MS));
    }

    @Test
    void theLatestUnitsNinetiethPercentileOfLatenessIsKeptBackFromThePlan() {
        LatencyObjective objective = new LatencyObjective(Duration.ofMillis(100), 1024, Duration.ofMillis(60_000), measured());
        for (int unit = 0; unit < 3; unit++) {
            commitLate(objective, 400); // a fresh worker's first units
        }
        assertEquals(0, objective.slackNanos(), "too few units to tell");
        // of the latest 40 units, 36 a millisecond early and 4 ten late: their 90th percentile is 10 ms
        for (int unit = 0; unit < 40; unit++) {
            commitLate(objective, unit % 10 == 0 ? 10 : -1);
        }
        assertEquals(10 * MS, objective.slackNanos());
        assertEquals(1_000 * MS + 65 * MS - 5 * MS, objective.commitByNanos(1_000 * MS), "65 of the 75 ms budget planned");
        // Batches are sized as before: smaller ones would cost more per image, and near saturation
        // that would queue the input and make the units later still.
        assertEquals(680, objective.batchLimit(), 1);
        assertEquals(42.4 * MS, objective.waitLimitNanos(256), 0.1 * MS);
        objective.observeCommitted(0, 0, 75 * MS);
        assertEquals(10 * MS, objective.slackNanos(), "at 75 ms a unit is 10 ms late against the 65 now planned");

        for (int unit = 0; unit < 40; unit++) {
            commitLate(objective, -1);
        }
        assertEquals(0, objective.slackNanos(), "none once the units are on time again");
        for (int unit = 0; unit < 40; unit++) {
            commitLate(objective, 2_000);
        }
        assertEquals(75 * MS * LatencyObjective.MAX_SLACK_SHARE, objective.slackNanos(), 1, "at most half the budget");
    }

    @Test
    void unitsWhoseAnswersCameLateCountOnlyWhatTheirCommitAddedToTheirLateness() {
        LatencyObjective objective = new LatencyObjective(Duration.ofMillis(100), 1024, Duration.ofMillis(60_000), measured());
        // The input queued for the forward pass: answers 120 ms after the oldest input, 45 past the
        // 75 ms budget. Committed one 5 ms commit later, the unit was as early as it could be.
        for (int unit = 0; unit < 40; unit++) {
            objective.observeCommitted(0, 120 * MS, 125 * MS);
        }
        assertEquals(0, objective.slackNanos(), "committing earlier would not have helped them");
        // Those whose commit took 12 ms instead of 5 were 7 ms late: that much is kept back
        for (int unit = 0; unit < 40; unit++) {
            objective.observeCommitted(0, 120 * MS, 132 * MS);
        }
        assertEquals(7 * MS, objective.slackNanos());
    }

    @Test
    void anInputsClockStartsAtItsTimestampWithinTheBudgetElseWhenRead() {
        LatencyObjective objective = new LatencyObjective(Duration.ofMillis(100), 64, Duration.ofMillis(10), measured());
        long now = 5_000 * MS;
        long wall = 1_700_000_000_000L;
        assertEquals(now - 30 * MS, objective.waitClockNanos(wall - 30, now, wall), "30 ms in Kafka count");
        assertEquals(now - 30 * MS, objective.commitClockNanos(wall - 30, now, wall), "for the commit too");
        assertEquals(now - 500 * MS, objective.waitClockNanos(wall - 500, now, wall), "a late input does not wait anew");
        assertEquals(now, objective.commitClockNanos(wall - 500, now, wall), "a backlog's commit clock starts when read");
        assertEquals(now, objective.waitClockNanos(wall + 50, now, wall), "a clock ahead of ours is not trusted");
        assertEquals(now, objective.commitClockNanos(wall + 50, now, wall), "by either clock");
        assertEquals(now, objective.waitClockNanos(-1, now, wall), "no timestamp");
        assertEquals(now, objective.commitClockNanos(-1, now, wall), "no timestamp, for the commit");
        assertThrows(IllegalArgumentException.class,
                () -> new LatencyObjective(Duration.ZERO, 64, Duration.ofMillis(10), new BatchCosts()));
        assertTrue(objective.objective().equals(Duration.ofMillis(100)));
    }
}
