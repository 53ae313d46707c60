package io.fashionstream.worker.kafka;

import io.fashionstream.worker.batch.Answer;
import io.fashionstream.worker.batch.AnswerStage;
import io.fashionstream.worker.batch.BatchCosts;
import io.fashionstream.worker.batch.LatencyObjective;
import io.fashionstream.worker.records.CopiedHeaders;
import io.fashionstream.worker.records.DeadLetters;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commit policy on its own, with answers made by hand (no model, no loop, no sleeps): units
 * gathered over the interval, and what committing gives back for the loop to act on.
 */
class CommitStageTest {
    private static final String TOPIC = "catalog-images";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final Duration INTERVAL = Duration.ofMillis(100);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final AtomicLong clock = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<List<Answer>> committed = new ArrayList<>();

    private CommitStage committer(MockProducer<byte[], byte[]> producer) {
        return committer(producer, null);
    }

    private CommitStage committer(MockProducer<byte[], byte[]> producer, LatencyObjective objective) {
        // No waiting between retries: the backoff's first step is a nanosecond.
        Backoff backoff = new Backoff(stop::get, Duration.ofNanos(1), Duration.ofNanos(1));
        TransactionalPublisher publisher = new TransactionalPublisher(producer, consumer, Duration.ofSeconds(1));
        publisher.start();
        return new CommitStage("test", publisher, new AnswerStage("catalog-labels", 3,
                new DeadLetters("dlq", DeadLetters.KAFKA_DEFAULT_MAX_RECORD_BYTES), CopiedHeaders.DEFAULT_RESULT_HEADERS,
                clock::get),
                new RetryPolicy("test", backoff), backoff, INTERVAL, clock::get, committed::add, objective);
    }

    private static final long MS = 1_000_000L;

    /** A 40 ms objective: a 30 ms budget, with nothing measured yet. */
    private static LatencyObjective fortyMillisecondObjective() {
        return new LatencyObjective(Duration.ofMillis(40), 64, Duration.ofMillis(10), new BatchCosts());
    }

    @Test
    void underALatencyObjectiveAUnitCommitsByItsOldestInputsDeadlineBeforeTheInterval() {
        MockProducer<byte[], byte[]> producer = producer();
        LatencyObjective objective = fortyMillisecondObjective(); // nothing measured yet: a commit counts as free
        CommitStage committer = committer(producer, objective);
        clock.set(1_000 * MS);
        committer.add(answers(0, 8), 990 * MS); // its oldest input arrived 10 ms ago
        assertEquals(20, committer.millisUntilDue(1_000), "due at 990 + 30 ms, before the 100 ms interval");
        clock.set(1_019 * MS);
        committer.add(answers(8, 16), 1_015 * MS);
        assertEquals(0, producer.commitCount());
        clock.set(1_020 * MS);
        assertSame(CommitResult.COMMITTED, committer.commitIfDue());
        assertEquals(1, producer.commitCount());
        assertEquals(16, committed.get(0).size());
        assertTrue(objective.costs().commitNanos() >= 0, "the commit was timed");
        clock.set(1_031 * MS);
        committer.add(answers(16, 17), 1_031 * MS);
        assertEquals(30, committer.millisUntilDue(1_000), "the next unit's deadline is its own");
    }

    @Test
    void unitsCommittedLateMakeTheNextUnitsDeadlineEarlierByTheirLateness() {
        LatencyObjective objective = fortyMillisecondObjective(); // each unit committed 8 ms after its deadline
        CommitStage committer = committer(producer(), objective);
        for (int unit = 0; unit < 4; unit++) {
            long arrival = (1_000 + 100 * unit) * MS;
            clock.set(arrival);
            committer.add(answers(unit * 8, unit * 8 + 8), arrival);
            clock.set(arrival + 38 * MS);
            assertSame(CommitResult.COMMITTED, committer.commitIfDue());
        }
        assertEquals(8 * MS, objective.slackNanos(), "the units' lateness, kept back from now on");
        clock.set(2_000 * MS);
        committer.add(answers(32, 40), 2_000 * MS);
        assertEquals(30 - 8, committer.millisUntilDue(1_000), "due 8 ms before the budget runs out");
    }

    @Test
    void unitsWhoseAnswersCameAfterTheirDeadlineDoNotMakeTheNextUnitsCommitEarlier() {
        LatencyObjective objective = fortyMillisecondObjective(); // a 30 ms budget
        MockProducer<byte[], byte[]> producer = producer();
        CommitStage committer = committer(producer, objective);
        for (int unit = 0; unit < 4; unit++) {
            long answered = (1_000 + 100 * unit) * MS;
            clock.set(answered);
            // its inputs queued: they arrived 50 ms before their answers, 20 past the budget
            assertSame(CommitResult.COMMITTED, committer.add(answers(unit * 8, unit * 8 + 8), answered - 50 * MS));
        }
        assertEquals(4, producer.commitCount(), "each committed as soon as its answers came");
        assertEquals(0, objective.slackNanos(), "an earlier commit would not have helped them");
        clock.set(2_000 * MS);
        committer.add(answers(32, 40), 2_000 * MS);
        assertEquals(30, committer.millisUntilDue(1_000), "the next unit keeps its whole budget");
    }

    @Test
    void aUnitGathersBatchesUntilItsIntervalThenCommitsThemInOneTransactionWithTheirOffsets() {
        MockProducer<byte[], byte[]> producer = producer();
        CommitStage committer = committer(producer);

        assertSame(CommitResult.COMMITTED, committer.add(answers(0, 8)));
        assertSame(CommitResult.COMMITTED, committer.add(answers(8, 16)));
        assertEquals(16, producer.uncommittedRecords().size(), "sent at once, in the open transaction");
        assertEquals(0, producer.commitCount());
        assertEquals(16, committer.pendingCount());

        clock.addAndGet(INTERVAL.toNanos());
        assertSame(CommitResult.COMMITTED, committer.commitIfDue());
        assertEquals(1, producer.commitCount(), "one transaction for both batches");
        assertEquals(16, lastCommittedOffset(producer));
        assertEquals(16, committed.get(0).size());
        assertEquals(0, committer.pendingCount());
    }

    @Test
    void aGroupThatMovedOnGivesARewindOfTheUnitsInputsAndTheTransactionIsAborted() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
                throw new CommitFailedException("Specified group generation id is not valid (simulated)");
            }
        };
        CommitStage committer = committer(producer);
        committer.add(answers(0, 8));
        clock.addAndGet(INTERVAL.toNanos());

        CommitResult.Rewind rewind = assertInstanceOf(CommitResult.Rewind.class, committer.commitIfDue());
        assertEquals(8, rewind.inputs().size(), "what the loop must redo");
        assertInstanceOf(CommitFailedException.class, rewind.cause());
        assertTrue(producer.transactionAborted());
        assertTrue(committed.isEmpty());
    }

    @Test
    void aStopWhileKafkaIsAwayLeavesTheUnitUncommittedAndSaysSo() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                stop.set(true); // asked to stop while the broker is away
                throw new TimeoutException("broker away (simulated)");
            }
        };
        CommitStage committer = committer(producer);
        committer.add(answers(0, 4));
        clock.addAndGet(INTERVAL.toNanos());

        assertSame(CommitResult.STOPPED, committer.commitIfDue());
        assertTrue(committed.isEmpty(), "nothing committed: the next owner redoes it");
        assertEquals(0, producer.commitCount());
    }

    @Test
    void abandoningTheUnitAbortsItsTransactionAndHandsBackItsInputsInOrder() {
        MockProducer<byte[], byte[]> producer = producer();
        CommitStage committer = committer(producer);
        committer.add(answers(0, 4));
        committer.add(answers(4, 6));

        List<ConsumerRecord<byte[], byte[]>> inputs = committer.abandonPending();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), inputs.stream().map(ConsumerRecord::offset).toList());
        assertTrue(producer.transactionAborted());
        assertEquals(0, committer.pendingCount());
        assertSame(CommitResult.COMMITTED, committer.commitPending(), "nothing left to commit");
        assertTrue(committed.isEmpty());
    }

    private static MockProducer<byte[], byte[]> producer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Results for inputs {@code from} to {@code to} of partition 0. */
    private static List<Answer> answers(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> {
            byte[] key = ("item-" + i).getBytes(StandardCharsets.UTF_8);
            ConsumerRecord<byte[], byte[]> input = new ConsumerRecord<>(TOPIC, 0, i, key, new byte[784]);
            return new Answer(input, new ProducerRecord<>("catalog-labels", key, "{}".getBytes(StandardCharsets.UTF_8)),
                    null, null, null);
        }).toList();
    }

    private static long lastCommittedOffset(MockProducer<byte[], byte[]> producer) {
        var history = producer.consumerGroupOffsetsHistory();
        return history.get(history.size() - 1).values().iterator().next().get(P0).offset();
    }
}
