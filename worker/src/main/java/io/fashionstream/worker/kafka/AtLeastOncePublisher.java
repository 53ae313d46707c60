package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * At-least-once: the input offsets are committed only after every result and dead letter of the
 * batch is acknowledged. A crash between the two repeats the batch; nothing is ever skipped.
 * Acknowledgements still pending when the wait times out are awaited again by the next
 * {@link #publish} rather than sent twice.
 */
final class AtLeastOncePublisher implements BatchPublisher {
    private final Producer<byte[], byte[]> producer;
    private final Consumer<byte[], byte[]> consumer;
    private final Duration ackTimeout;
    private Acks pending;

    AtLeastOncePublisher(Producer<byte[], byte[]> producer, Consumer<byte[], byte[]> consumer, Duration ackTimeout) {
        this.producer = producer;
        this.consumer = consumer;
        this.ackTimeout = ackTimeout;
    }

    @Override
    public void start() {
    }

    @Override
    public void send(List<ProducerRecord<byte[], byte[]>> records) {
        if (pending == null) {
            pending = new Acks();
        }
        pending.send(producer, records);
    }

    @Override
    public void publish(List<ProducerRecord<byte[], byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (pending == null) {
            send(records);
        }
        try {
            pending.await(ackTimeout);
        } catch (Acks.StillPendingException e) {
            throw e; // still in flight: awaited again next time
        } catch (RuntimeException e) {
            pending = null; // failed: the next attempt sends again
            throw e;
        }
        pending = null;
        consumer.commitSync(offsets);
    }

    @Override
    public void abort() {
        // Nothing to undo: what was sent stays, and the batch is repeated from the committed offsets.
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout);
    }
}
