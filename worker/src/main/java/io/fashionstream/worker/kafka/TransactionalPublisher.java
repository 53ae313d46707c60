package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Exactly-once: each unit (the batches of one commit interval) is one Kafka transaction holding
 * their results, their dead letters and their input offsets (sent with the consumer's group
 * metadata, so a zombie from an older generation is fenced). A {@code read_committed} reader sees
 * all of a unit or none of it.
 * <p>A transaction goes through three steps: the sends, acknowledged before anything else (so a
 * record Kafka refuses fails the batch while it can still be aborted), the offsets, and the commit.
 * A step still in progress when its wait runs out is never aborted (Kafka's producer only allows
 * retrying it: a commit may be completing on the broker): the next {@link #publish} of the same
 * batch resumes at that step. A step that failed, a send that expired included, is aborted.
 */
final class TransactionalPublisher implements BatchPublisher {
    private enum Step { BEGIN, AWAIT_ACKS, SEND_OFFSETS, COMMIT }

    private final Producer<byte[], byte[]> producer;
    private final Consumer<byte[], byte[]> consumer;
    private final Duration ackTimeout;
    private Step step = Step.BEGIN;
    private Acks acks;
    /** The last step's wait ran out while it was still in progress: it must be resumed, not aborted. */
    private boolean inProgress;

    TransactionalPublisher(Producer<byte[], byte[]> producer, Consumer<byte[], byte[]> consumer, Duration ackTimeout) {
        this.producer = producer;
        this.consumer = consumer;
        this.ackTimeout = ackTimeout;
    }

    @Override
    public void start() {
        // Fences any earlier producer with our transactional id and aborts what it left open.
        producer.initTransactions();
    }

    @Override
    public void send(List<ProducerRecord<byte[], byte[]>> records) {
        if (step == Step.BEGIN) {
            producer.beginTransaction();
            acks = new Acks();
            step = Step.AWAIT_ACKS;
        }
        if (step != Step.AWAIT_ACKS) {
            throw new IllegalStateException("a commit is in progress: resume it with publish before sending more");
        }
        acks.send(producer, records);
    }

    @Override
    public void publish(List<ProducerRecord<byte[], byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets) {
        inProgress = false;
        if (step == Step.BEGIN) {
            send(records);
        }
        if (step == Step.AWAIT_ACKS) {
            try {
                acks.await(ackTimeout);
            } catch (Acks.StillPendingException e) {
                inProgress = true;
                throw e;
            }
            step = Step.SEND_OFFSETS;
        }
        try {
            if (step == Step.SEND_OFFSETS) {
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                step = Step.COMMIT;
            }
            producer.commitTransaction();
        } catch (TimeoutException e) {
            inProgress = true; // the producer's own wait ran out: this call may only be retried
            throw e;
        }
        step = Step.BEGIN;
        acks = null;
    }

    @Override
    public void abort() {
        if (inProgress || step == Step.BEGIN) {
            return; // a step still in progress is resumed by the next publish, never aborted
        }
        producer.abortTransaction();
        step = Step.BEGIN;
        acks = null;
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout);
    }
}
