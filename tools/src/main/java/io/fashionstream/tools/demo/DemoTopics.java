package io.fashionstream.tools.demo;

import io.fashionstream.kafkakit.TopicLeaders;
import io.fashionstream.worker.config.WorkerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Names, creates and removes the topics of a demo or bench run. */
public final class DemoTopics {
    public static final int INPUT_PARTITIONS = 6;
    private static final long TIMEOUT_S = 30;

    private DemoTopics() {
    }

    /**
     * {@code config} with its topics, group and transactional-id prefix suffixed by a fresh
     * {@code <label>-<random>} id, so a run on a shared cluster cannot mix with earlier data.
     */
    public static WorkerConfig forFreshRun(WorkerConfig config, String label) {
        String run = label + "-" + UUID.randomUUID().toString().substring(0, 8);
        return config.toBuilder()
                .inputTopic(config.inputTopic() + "." + run)
                .resultsTopic(config.resultsTopic() + "." + run)
                .deadLetterTopic(config.deadLetterTopic() + "." + run)
                .reviewTopic(config.reviewTopic() + "." + run)
                .groupId(config.groupId() + "." + run)
                .transactionalIdPrefix(config.transactionalIdPrefix() + "." + run)
                .build();
    }

    /** Creates the topics of {@code config}: input, results, dead letters and review records. */
    public static void create(Map<String, Object> clientProps, WorkerConfig config)
            throws ExecutionException, InterruptedException, TimeoutException {
        create(clientProps, config.inputTopic(), config.resultsTopic(), config.deadLetterTopic(), config.reviewTopic());
    }

    /** The topics of {@code config}, to delete after a run. */
    public static List<String> names(WorkerConfig config) {
        return List.of(config.inputTopic(), config.resultsTopic(), config.deadLetterTopic(), config.reviewTopic());
    }

    /** Creates the four topics of a pipeline and waits until each has a leader. */
    public static void create(Map<String, Object> clientProps, String input, String results, String deadLetters,
                              String review) throws ExecutionException, InterruptedException, TimeoutException {
        try (Admin admin = Admin.create(withTimeout(clientProps))) {
            short replicas = (short) Math.min(3, admin.describeCluster().nodes().get(TIMEOUT_S, TimeUnit.SECONDS).size());
            admin.createTopics(List.of(
                    new NewTopic(input, INPUT_PARTITIONS, replicas),
                    new NewTopic(results, INPUT_PARTITIONS, replicas),
                    new NewTopic(deadLetters, 1, replicas),
                    new NewTopic(review, 1, replicas))).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            TopicLeaders.await(admin, List.of(input, results, deadLetters, review), Duration.ofSeconds(TIMEOUT_S));
        }
    }

    public static void delete(Map<String, Object> clientProps, List<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        try (Admin admin = Admin.create(withTimeout(clientProps))) {
            admin.deleteTopics(topics).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    private static Map<String, Object> withTimeout(Map<String, Object> props) {
        Map<String, Object> copy = new java.util.HashMap<>(props);
        copy.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_S));
        return copy;
    }
}
