package io.fashionstream.worker.release;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes releases and rollouts to the release topic, each acknowledged by every in-sync replica
 * before {@link #publish} returns: a rollout is only written once the release it names is.
 */
public final class ReleasePublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Duration timeout;

    public ReleasePublisher(Map<String, Object> clientProps, String topic, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ReleaseTopic.MAX_RECORD_BYTES);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * ReleaseTopic.MAX_RECORD_BYTES);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "fashion-release-publisher");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.timeout = timeout;
    }

    public void publish(ModelRelease release) throws IOException {
        send(ReleaseTopic.record(topic, release));
    }

    public void publish(Rollout rollout) throws IOException {
        send(ReleaseTopic.record(topic, rollout));
    }

    private void send(org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record) throws IOException {
        try {
            producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("Kafka refused " + record.key() + " on " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no acknowledgement of " + record.key() + " on " + topic + " within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while publishing " + record.key(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
