package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The poll stage and its rebalance listener, which records what a rebalance took and acts on nothing. */
class PollStageTest {
    private static final String TOPIC = "in";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final PollStage poll = new PollStage("test", consumer);

    @Test
    void queuesWhatItFetchesOldestFirst() {
        assignBoth();
        consumer.addRecord(record(P0, 0));
        consumer.addRecord(record(P1, 0));
        consumer.addRecord(record(P0, 1));
        assertEquals(3, poll.poll(0).count(), "it says what it added");
        assertEquals(0, poll.poll(0).count());

        assertEquals(3, poll.size());
        List<String> taken = List.of(name(poll.next()), name(poll.next()), name(poll.next()));
        assertEquals(List.of("in-0@0", "in-0@1"), taken.stream().filter(n -> n.startsWith("in-0")).toList(),
                "a partition's records in order");
        assertTrue(taken.contains("in-1@0"));
        assertTrue(poll.isEmpty());
    }

    @Test
    void aRevocationIsRecordedForTheLoopAndTouchesNothingItHolds() {
        assignBoth();
        consumer.addRecord(record(P1, 0));
        poll.poll(0);
        assertTrue(poll.hasJoined());
        assertEquals(2, poll.owned());
        assertSame(PartitionChanges.NONE, poll.takeChanges());

        consumer.rebalance(List.of(P0));

        assertEquals(1, poll.size(), "what it fetched stays queued: the loop decides what to do with it");
        assertEquals(1, poll.owned());
        PartitionChanges changes = poll.takeChanges();
        assertEquals(Set.of(P1), changes.revoked());
        assertTrue(changes.lost().isEmpty());
        assertSame(PartitionChanges.NONE, poll.takeChanges(), "taken once");
    }

    @Test
    void aLossIsRecordedApartFromARevocation() {
        assignBoth();
        poll.recorder().onPartitionsLost(List.of(P0, P1));
        PartitionChanges changes = poll.takeChanges();
        assertEquals(Set.of(P0, P1), changes.lost());
        assertEquals(Set.of(P0, P1), changes.gone());
        assertFalse(changes.isEmpty());
    }

    @Test
    void seeksBackToTheCommittedOffsetOrElseTheFirstHeld() {
        assignBoth();
        consumer.seek(P0, 9);
        consumer.seek(P1, 9);
        poll.seekBack(Map.of(P0, new OffsetAndMetadata(4)), Map.of(P0, 6L, P1, 2L));
        assertEquals(4, consumer.position(P0), "the committed offset wins");
        assertEquals(2, consumer.position(P1), "never committed: the first offset it held");
    }

    private void assignBoth() {
        poll.subscribe(TOPIC);
        consumer.rebalance(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.seekToBeginning(List.of(P0, P1));
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset) {
        return new ConsumerRecord<>(TOPIC, tp.partition(), offset, null, new byte[]{1});
    }

    private static String name(ConsumerRecord<?, ?> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }
}
