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
 * Exactly-once: each batch is one Kafka transaction holding its results, its dead letters and
 * its input offsets (sent with the consumer's group metadata, so a zombie from an older
 * generation is fenced). A {@code read_committed} reader sees all of a batch or none of it.
 */
final class TransactionalPublisher implements BatchPublisher {
    private final Producer<byte[], byte[]> producer;
    private final Consumer<byte[], byte[]> consumer;
    private boolean inTransaction;

    TransactionalPublisher(Producer<byte[], byte[]> producer, Consumer<byte[], byte[]> consumer) {
        this.producer = producer;
        this.consumer = consumer;
    }

    @Override
    public void start() {
        // Fences any earlier producer with our transactional id and aborts what it left open.
        producer.initTransactions();
    }

    @Override
    public void publish(List<ProducerRecord<byte[], byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets) {
        producer.beginTransaction();
        inTransaction = true;
        for (ProducerRecord<byte[], byte[]> record : records) {
            producer.send(record);
        }
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
        inTransaction = false;
    }

    @Override
    public void abort() {
        if (inTransaction) {
            inTransaction = false;
            producer.abortTransaction();
        }
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout);
    }
}
