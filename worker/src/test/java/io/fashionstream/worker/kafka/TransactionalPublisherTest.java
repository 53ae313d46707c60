package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A unit as one Kafka transaction, step by step: what is resumed, what is aborted. */
class TransactionalPublisherTest {
    private static final TopicPartition P0 = new TopicPartition("in", 0);
    private static final Map<TopicPartition, OffsetAndMetadata> OFFSETS = Map.of(P0, new OffsetAndMetadata(2));
    private static final List<ProducerRecord<byte[], byte[]>> RECORDS = List.of(record("a"), record("b"));

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");

    @Test
    void publishesTheRecordsAndTheOffsetsInOneTransaction() {
        MockProducer<byte[], byte[]> producer = producer(true);
        TransactionalPublisher publisher = started(producer);
        publisher.send(RECORDS);
        assertTrue(producer.transactionInFlight());
        publisher.publish(RECORDS, OFFSETS);

        assertEquals(1, producer.commitCount());
        assertEquals(2, producer.history().size());
        assertEquals(OFFSETS, producer.consumerGroupOffsetsHistory().get(0).values().iterator().next());
    }

    @Test
    void aCommitWhoseWaitRanOutIsResumedNeverAbortedNorItsOffsetsSentTwice() {
        AtomicInteger commits = new AtomicInteger();
        AtomicInteger offsetSends = new AtomicInteger();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
                offsetSends.incrementAndGet();
                super.sendOffsetsToTransaction(offsets, group);
            }

            @Override
            public void commitTransaction() {
                if (commits.incrementAndGet() == 1) {
                    throw new TimeoutException("the broker did not answer in time (simulated)");
                }
                super.commitTransaction();
            }
        };
        TransactionalPublisher publisher = started(producer);
        assertThrows(TimeoutException.class, () -> publisher.publish(RECORDS, OFFSETS));
        publisher.abort(); // what the retry policy does between attempts: must leave a commit in progress alone
        assertFalse(producer.transactionAborted());
        assertThrows(IllegalStateException.class, () -> publisher.send(List.of(record("c"))),
                "nothing more joins a transaction that may be committing");

        publisher.publish(RECORDS, OFFSETS);
        assertEquals(1, producer.commitCount());
        assertEquals(1, offsetSends.get(), "resumed at the commit step");
        assertEquals(2, producer.history().size(), "nothing sent twice");
    }

    @Test
    void unacknowledgedSendsAreAwaitedAgainAndAFailedSendIsAborted() {
        MockProducer<byte[], byte[]> producer = producer(false);
        TransactionalPublisher publisher = started(producer);
        publisher.send(RECORDS);
        assertThrows(Acks.StillPendingException.class, () -> publisher.publish(RECORDS, OFFSETS));
        publisher.abort();
        assertFalse(producer.transactionAborted(), "sends still in flight are awaited, not aborted");

        producer.completeNext();
        producer.errorNext(new RecordTooLargeException("too large (simulated)"));
        assertThrows(RecordTooLargeException.class, () -> publisher.publish(RECORDS, OFFSETS));
        publisher.abort();
        assertTrue(producer.transactionAborted(), "a send Kafka refused aborts the transaction");
        assertEquals(0, producer.commitCount());
    }

    private TransactionalPublisher started(MockProducer<byte[], byte[]> producer) {
        TransactionalPublisher publisher = new TransactionalPublisher(producer, consumer, Duration.ofMillis(1));
        publisher.start();
        return publisher;
    }

    private static MockProducer<byte[], byte[]> producer(boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<byte[], byte[]> record(String key) {
        return new ProducerRecord<>("out", key.getBytes(StandardCharsets.UTF_8), new byte[]{1});
    }
}
