package io.fashionstream.worker.kafka;

import io.fashionstream.worker.config.WorkerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks, before any worker starts, that the cluster answers and the three topics exist, so a
 * wrong address or a missing topic is one clear message within the startup timeout instead of a
 * consumer that waits silently forever.
 */
public final class Preflight {
    private Preflight() {
    }

    /** Checks the worker's three topics; returns the input topic's partition count. */
    public static int check(WorkerConfig config) throws KafkaUnavailableException {
        return checkTopics(KafkaClients.common(config), List.of(config.inputTopic(), config.resultsTopic(),
                config.deadLetterTopic()), config.startupTimeout(), "--input-topic/--results-topic/--dead-letter-topic")
                .get(config.inputTopic()).partitions().size();
    }

    /**
     * Checks that the cluster of {@code clientProps} answers within {@code timeout} and that
     * every topic exists; {@code topicOptions} names the options that choose them, for the hint.
     */
    public static Map<String, TopicDescription> checkTopics(Map<String, Object> clientProps, List<String> topics,
                                                            Duration timeout, String topicOptions)
            throws KafkaUnavailableException {
        Map<String, Object> props = new HashMap<>(clientProps);
        String servers = String.valueOf(props.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        try (Admin admin = Admin.create(props)) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw unreachable(servers, timeout, e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof UnknownTopicOrPartitionException) {
                    throw new KafkaUnavailableException(missingTopic(admin, servers, topics, timeoutMs, topicOptions), cause);
                }
                if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                    throw unreachable(servers, timeout, cause);
                }
                if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
                    throw new KafkaUnavailableException("Kafka at " + servers + " refused the client: "
                            + cause.getMessage(), cause);
                }
                throw new KafkaUnavailableException("cannot describe topics on " + servers + ": " + cause, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaUnavailableException("interrupted while connecting to Kafka", e);
            }
        }
    }

    private static KafkaUnavailableException unreachable(String servers, Duration timeout, Throwable cause) {
        return new KafkaUnavailableException(String.format(
                "cannot reach Kafka at %s within %d s (is the broker running? check --bootstrap-servers and the security settings)",
                servers, timeout.toSeconds()), cause);
    }

    private static String missingTopic(Admin admin, String servers, List<String> topics, int timeoutMs,
                                       String topicOptions) {
        // describeTopics fails as a whole; name which topics are missing in one more, cheap call.
        try {
            var existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<String> missing = topics.stream().filter(t -> !existing.contains(t)).toList();
            return "topic" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing.stream().map(t -> "'" + t + "'").toList())
                    + " not found on " + servers + " (create " + (missing.size() > 1 ? "them" : "it")
                    + ", or point " + topicOptions + " elsewhere)";
        } catch (Exception e) {
            return "a topic of " + topics + " does not exist on " + servers;
        }
    }
}
