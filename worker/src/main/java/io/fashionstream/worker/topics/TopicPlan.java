package io.fashionstream.worker.topics;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One topic of the pipeline as it should be created: partitions, replicas and the settings the
 * worker relies on. The same plan creates the topic through the admin client and prints the
 * {@code kafka-topics.sh} line that creates it by hand.
 */
public record TopicPlan(String name, int partitions, short replicas, Map<String, String> configs) {
    /** Room over the largest accepted image for the record's key, headers and batch framing. */
    static final int RECORD_OVERHEAD_BYTES = 64 * 1024;
    /** How long dead letters are kept: long enough for someone to look at them after a long weekend. */
    static final long DEAD_LETTER_RETENTION_MS = 14L * 24 * 3600 * 1000;

    /**
     * The four topics of a pipeline: the input and the results with {@code partitions} each (the
     * most worker threads that can share the load), the dead letters and the review records with one; all with
     * {@code min.insync.replicas} 2 where there are at least 3 replicas; the input and the dead
     * letters take records of {@code maxImageBytes} (a dead letter keeps the whole input, plus headers).
     */
    public static List<TopicPlan> pipeline(String input, String results, String deadLetters, String review,
                                           int partitions, short replicas, int maxImageBytes) {
        String recordBytes = Integer.toString(maxImageBytes + RECORD_OVERHEAD_BYTES);
        String deadLetterBytes = Integer.toString(maxImageBytes + 2 * RECORD_OVERHEAD_BYTES);
        return List.of(
                new TopicPlan(input, partitions, replicas, configs(replicas,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, recordBytes)),
                new TopicPlan(results, partitions, replicas, configs(replicas)),
                new TopicPlan(deadLetters, 1, replicas, configs(replicas,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, deadLetterBytes,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(DEAD_LETTER_RETENTION_MS))),
                // kept as long as the dead letters: people work through it at their own pace
                new TopicPlan(review, 1, replicas, configs(replicas,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(DEAD_LETTER_RETENTION_MS))));
    }

    /**
     * The release topic: one partition (one order of rollouts for every worker), compacted (a
     * release published again is kept once; every rollout has a key of its own and stays), taking
     * records of {@code maxRecordBytes} (a model in base64 with its card).
     */
    public static TopicPlan releases(String name, short replicas, int maxRecordBytes) {
        return new TopicPlan(name, 1, replicas, configs(replicas,
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxRecordBytes + RECORD_OVERHEAD_BYTES)));
    }

    /** The topic's own settings ({@code name, value} pairs, kept in order for the printed lines) and the shared ones. */
    private static Map<String, String> configs(short replicas, String... own) {
        Map<String, String> configs = new LinkedHashMap<>();
        for (int i = 0; i < own.length; i += 2) {
            configs.put(own[i], own[i + 1]);
        }
        if (replicas >= 3) {
            // acks=all then survives one broker down without losing an acknowledged record.
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        }
        return configs;
    }

    public NewTopic toNewTopic() {
        return new NewTopic(name, partitions, replicas).configs(configs);
    }

    /** The {@code kafka-topics.sh} line that creates this topic on {@code bootstrapServers}. */
    String kafkaTopicsLine(String bootstrapServers) {
        String configFlags = configs.entrySet().stream().map(e -> " --config " + e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining());
        return "kafka-topics.sh --bootstrap-server " + bootstrapServers + " --create --if-not-exists --topic " + name
                + " --partitions " + partitions + " --replication-factor " + replicas + configFlags;
    }

    /** {@code catalog-images: 12 partitions x 3 replicas, max.message.bytes=10551296}. */
    public String describe() {
        String settings = configs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
        return name + ": " + partitions + " partition(s) x " + replicas + " replica(s)" + (settings.isEmpty() ? "" : ", " + settings);
    }
}
