package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The commit policy of a worker thread: how one batch's outputs and its input offsets reach
 * Kafka. Implementations throw Kafka's own exceptions; {@link WorkerLoop} sorts them into
 * fatal and abortable.
 */
interface BatchPublisher extends AutoCloseable {
    /** Called once on the worker thread before the first batch. */
    void start();

    /** Publishes {@code records} and commits {@code offsets}; returns once both are durable. */
    void publish(List<ProducerRecord<byte[], byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets);

    /** Undoes what a failed {@link #publish} left open, where that is possible. */
    void abort();

    void close(Duration timeout);

    @Override
    default void close() {
        close(Duration.ofSeconds(5));
    }
}
