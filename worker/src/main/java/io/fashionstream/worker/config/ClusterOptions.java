package io.fashionstream.worker.config;

import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cluster a tool command talks to ({@code produce}, {@code topics}): its address and any
 * client setting, from flags, {@code FASHION_KAFKA_*} variables or {@code kafka.*} lines of the
 * settings file, checked as the clients will check them.
 */
public final class ClusterOptions {
    @Option(names = "--bootstrap-servers", defaultValue = WorkerConfig.DEFAULT_BOOTSTRAP_SERVERS,
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
    String bootstrapServers;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Any Kafka client setting, e.g. security.protocol=SASL_SSL (repeatable). Env: FASHION_KAFKA_<KEY>")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The client settings of every source with the bootstrap servers; {@link IllegalArgumentException} names a bad one. */
    public Map<String, Object> clientProps(ConfigSources sources) {
        Map<String, String> settings = sources.kafkaProperties(kafkaProperties);
        KafkaSettings.check(settings);
        Map<String, Object> props = new HashMap<>(settings);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }
}
