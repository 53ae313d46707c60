package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The commit policy of a worker thread: how outputs and their input offsets reach Kafka, in
 * units (a transaction, under exactly-once) that may gather several batches: {@link #send} adds
 * records to the open unit, opening one if needed; {@link #publish} makes the open unit (or, when
 * none is open, the given records) durable with the offsets. Implementations throw Kafka's own
 * exceptions; the {@link CommitStage} sorts them.
 */
interface BatchPublisher extends AutoCloseable {
    /** Called once on the worker thread before the first batch. */
    void start();

    /** Hands {@code records} to the producer as part of the open unit, opening one if none is; does not wait. */
    void send(List<ProducerRecord<byte[], byte[]>> records);

    /**
     * Makes the open unit durable with {@code offsets}, or, when none is open, sends {@code records}
     * as a unit of their own first; returns once both are durable. After a failure that left a step
     * in progress (its wait ran out), the next call resumes that step.
     */
    void publish(List<ProducerRecord<byte[], byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets);

    /** Undoes what a failed {@link #publish} left open, where that is possible. */
    void abort();

    void close(Duration timeout);

    @Override
    default void close() {
        close(Duration.ofSeconds(5));
    }
}
