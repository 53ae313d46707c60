package io.fashionstream.worker.config;

import io.fashionstream.core.Printable;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks pass-through Kafka client settings ({@code --kafka-property}, {@code FASHION_KAFKA_*},
 * {@code kafka.*} lines) the way the clients themselves will, before any client is built: each
 * value is parsed as its setting's type and run through its validator, by the definitions of the
 * consumer, the producer and the admin client, so that {@code acks=2} or
 * {@code max.poll.records=abc} is one line naming the setting rather than a stack trace from a
 * client's constructor. Settings none of the three knows are left to the clients (they ignore
 * them with a warning, as plugins' settings must pass through).
 */
public final class KafkaSettings {
    private static final List<ConfigDef> DEFINITIONS = List.of(ConsumerConfig.configDef(), ProducerConfig.configDef(),
            AdminClientConfig.configDef());

    private KafkaSettings() {
    }

    /** Throws {@link IllegalArgumentException} naming the first setting a client would refuse. */
    public static void check(Map<String, String> settings) {
        settings.forEach((name, value) -> {
            for (ConfigDef definition : DEFINITIONS) {
                ConfigDef.ConfigKey key = definition.configKeys().get(name);
                if (key != null) {
                    checkOne(key, name, value);
                }
            }
        });
    }

    /**
     * Also checks what only the producer's constructor checks, the settings taken together
     * ({@code acks=0} with the idempotence the worker always turns on, say), on a configuration
     * built as the worker builds it.
     */
    public static void checkProducer(Map<String, String> settings, boolean transactional) {
        Map<String, Object> props = new HashMap<>(settings);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092"); // any: nothing connects
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        if (transactional) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "settings-check");
        }
        try {
            new ProducerConfig(props);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("kafka properties refused by the producer: " + Printable.collapsed(e.getMessage()), e);
        }
    }

    private static void checkOne(ConfigDef.ConfigKey key, String name, String value) {
        try {
            Object parsed = ConfigDef.parseType(name, value, key.type);
            if (key.validator != null) {
                key.validator.ensureValid(name, parsed);
            }
        } catch (ConfigException e) {
            throw new IllegalArgumentException("kafka property " + name + "=" + (Secrets.isSecret(name) ? Secrets.MASK : value)
                    + " is not valid: " + Printable.collapsed(e.getMessage()), e);
        }
    }
}
