package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;

import java.util.List;

/** What became of getting answers into Kafka: what the worker loop acts on, at a point of its choosing. */
sealed interface CommitResult permits CommitResult.Committed, CommitResult.Rewind, CommitResult.Stopped {
    CommitResult COMMITTED = new Committed();
    CommitResult STOPPED = new Stopped();

    /** Durable, or nothing was due. */
    record Committed() implements CommitResult {
    }

    /**
     * The group moved on while committing: the unit was aborted, and its {@code inputs} must be
     * redone from the committed offsets.
     */
    record Rewind(List<ConsumerRecord<byte[], byte[]>> inputs, KafkaException cause) implements CommitResult {
    }

    /** The worker was asked to stop while waiting for Kafka: the unit is left uncommitted, to be redone. */
    record Stopped() implements CommitResult {
    }
}
