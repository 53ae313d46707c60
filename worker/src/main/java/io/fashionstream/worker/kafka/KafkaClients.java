package io.fashionstream.worker.kafka;

import io.fashionstream.worker.config.Guarantee;
import io.fashionstream.worker.config.WorkerConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.Map;

/**
 * Client settings of a worker thread's consumer and producer. Our tuning goes first, the user's
 * {@code --kafka-property} settings over it (security, timeouts, anything), and the settings the
 * guarantees depend on last, where nothing can override them.
 */
public final class KafkaClients {
    /** How long a crashed worker's open transaction can hold back {@code read_committed} readers. */
    static final int TRANSACTION_TIMEOUT_MS = 30_000;
    private static final int REQUEST_SIZE_MARGIN = 64 * 1024;

    private KafkaClients() {
    }

    /** Bootstrap servers plus every pass-through setting: what Admin clients use too. */
    public static Map<String, Object> common(WorkerConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return props;
    }

    public static Map<String, Object> consumer(WorkerConfig config, String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // One poll fills at most one batch, so little is fetched ahead of the batch being run.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxBatch());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.putAll(common(config));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }

    /** {@code transactionalId} is used only under {@link Guarantee#EXACTLY_ONCE}. */
    public static Map<String, Object> producer(WorkerConfig config, String clientId, String transactionalId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        // A dead letter carries the original value, which may be as large as the value limit.
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.imageLimits().maxBytes() + REQUEST_SIZE_MARGIN);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        props.putAll(common(config));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        if (config.guarantee() == Guarantee.EXACTLY_ONCE) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return props;
    }
}
