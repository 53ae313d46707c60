package io.fashionstream.worker.demo;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Creates and removes the demo's topics. */
final class DemoTopics {
    static final int INPUT_PARTITIONS = 6;
    private static final long TIMEOUT_S = 30;

    private DemoTopics() {
    }

    static void create(Map<String, Object> clientProps, String input, String results, String deadLetters)
            throws ExecutionException, InterruptedException, TimeoutException {
        try (Admin admin = Admin.create(withTimeout(clientProps))) {
            short replicas = (short) Math.min(3, admin.describeCluster().nodes().get(TIMEOUT_S, TimeUnit.SECONDS).size());
            admin.createTopics(List.of(
                    new NewTopic(input, INPUT_PARTITIONS, replicas),
                    new NewTopic(results, INPUT_PARTITIONS, replicas),
                    new NewTopic(deadLetters, 1, replicas))).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    static void delete(Map<String, Object> clientProps, List<String> topics)
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
