package io.fashionstream.worker.kafka;

import io.fashionstream.worker.config.GroupProtocol;
import io.fashionstream.worker.config.Guarantee;
import io.fashionstream.worker.config.WorkerConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Client settings of a worker thread's consumer and producer. Our tuning goes first, the user's
 * {@code --kafka-property} settings over it (security, timeouts, anything), and the settings the
 * guarantees depend on last, where nothing can override them.
 */
public final class KafkaClients {
    /** How long a crashed worker's open transaction can hold back {@code read_committed} readers. */
    static final int TRANSACTION_TIMEOUT_MS = 30_000;
    /**
     * Longest a producer call blocks (a commit while the broker is away): the worker then retries,
     * and notices a stop request in between.
     */
    static final int MAX_BLOCK_MS = 10_000;
    /** As long as the producer's calls may block, the worker waits for a batch's acknowledgements before retrying. */
    static final Duration ACK_TIMEOUT = Duration.ofMillis(MAX_BLOCK_MS);
    /** Consumer settings that only the classic protocol has; the consumer protocol takes them from the broker. */
    static final List<String> CLASSIC_ONLY = List.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
    /** Consumer settings that only the consumer protocol has. */
    static final List<String> CONSUMER_ONLY = List.of(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG);

    /** A socket buffer size that leaves the size to the operating system. */
    static final int OS_SOCKET_BUFFER = -1;

    private KafkaClients() {
    }

    /**
     * Bootstrap servers plus every pass-through setting: what Admin clients use too. The sockets'
     * buffers are the operating system's (autotuned) unless {@code --kafka-property} sets them:
     * with the clients' fixed 64 KB receive buffer, a fetch response over loopback was dropped
     * from a full receive queue now and then, and waited about 200 ms for TCP to send it again.
     */
    public static Map<String, Object> common(WorkerConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.putIfAbsent(CommonClientConfigs.RECEIVE_BUFFER_CONFIG, OS_SOCKET_BUFFER);
        props.putIfAbsent(CommonClientConfigs.SEND_BUFFER_CONFIG, OS_SOCKET_BUFFER);
        return props;
    }

    /**
     * The group protocol the workers use: the one chosen with {@code --group-protocol}, or with
     * {@code auto} the consumer protocol where the broker offers it and classic elsewhere.
     */
    public static GroupProtocol protocol(WorkerConfig config, ClusterFacts facts) {
        if (config.groupProtocol() != GroupProtocol.AUTO) {
            return config.groupProtocol();
        }
        return facts.consumerProtocolEnabled() ? GroupProtocol.CONSUMER : GroupProtocol.CLASSIC;
    }

    /**
     * Settings of {@code --kafka-property} that the chosen protocol does not have (the client
     * would refuse to start): they are left out, and the caller says so.
     */
    public static List<String> ignoredUnder(GroupProtocol protocol, WorkerConfig config) {
        List<String> other = protocol == GroupProtocol.CONSUMER ? CLASSIC_ONLY : CONSUMER_ONLY;
        return other.stream().filter(config.kafkaProperties()::containsKey).toList();
    }

    /**
     * @param protocol   {@link GroupProtocol#CONSUMER} or {@link GroupProtocol#CLASSIC}
     * @param instanceId stable id for static membership, or null for a dynamic member
     */
    public static Map<String, Object> consumer(WorkerConfig config, String clientId, GroupProtocol protocol,
                                               String instanceId) {
        if (protocol == GroupProtocol.AUTO) {
            throw new IllegalArgumentException("resolve the group protocol first");
        }
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // One poll fills at most one batch, so little is fetched ahead of the batch being run.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxBatch());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.putAll(common(config));
        ignoredUnder(protocol, config).forEach(props::remove);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol.cliName());
        if (instanceId != null) {
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }

    /**
     * {@code transactionalId} is used only under {@link Guarantee#EXACTLY_ONCE}; {@code limits}
     * sets {@code max.request.size} so that the largest answer the output topics take can be sent.
     */
    public static Map<String, Object> producer(WorkerConfig config, String clientId, String transactionalId,
                                               RecordSizeLimits limits) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, limits.maxRequestBytes());
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, limits.batchBytes());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
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
