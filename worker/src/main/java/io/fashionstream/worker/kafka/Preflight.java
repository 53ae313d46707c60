package io.fashionstream.worker.kafka;

import io.fashionstream.worker.config.WorkerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
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

    /** Returns the input topic's partition count. */
    public static int check(WorkerConfig config) throws KafkaUnavailableException {
        Map<String, Object> props = KafkaClients.common(config);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, config.startupTimeout().toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        List<String> topics = List.of(config.inputTopic(), config.resultsTopic(), config.deadLetterTopic());
        try (Admin admin = Admin.create(props)) {
            try {
                Map<String, TopicDescription> found = admin.describeTopics(topics).allTopicNames()
                        .get(timeoutMs, TimeUnit.MILLISECONDS);
                return found.get(config.inputTopic()).partitions().size();
            } catch (TimeoutException e) {
                throw unreachable(config, e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof UnknownTopicOrPartitionException) {
                    throw new KafkaUnavailableException(missingTopic(admin, config, topics, timeoutMs), cause);
                }
                if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                    throw unreachable(config, cause);
                }
                if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
                    throw new KafkaUnavailableException("Kafka at " + config.bootstrapServers() + " refused the worker: "
                            + cause.getMessage(), cause);
                }
                throw new KafkaUnavailableException("cannot describe topics on " + config.bootstrapServers() + ": " + cause, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaUnavailableException("interrupted while connecting to Kafka", e);
            }
        }
    }

    private static KafkaUnavailableException unreachable(WorkerConfig config, Throwable cause) {
        return new KafkaUnavailableException(String.format(
                "cannot reach Kafka at %s within %d s (is the broker running? check --bootstrap-servers and the security settings)",
                config.bootstrapServers(), Duration.ofMillis(config.startupTimeout().toMillis()).toSeconds()), cause);
    }

    private static String missingTopic(Admin admin, WorkerConfig config, List<String> topics, int timeoutMs) {
        // describeTopics fails as a whole; name which topics are missing in one more, cheap call.
        try {
            var existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<String> missing = topics.stream().filter(t -> !existing.contains(t)).toList();
            return "topic" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing.stream().map(t -> "'" + t + "'").toList())
                    + " not found on " + config.bootstrapServers() + " (create " + (missing.size() > 1 ? "them" : "it")
                    + ", or point --input-topic/--results-topic/--dead-letter-topic elsewhere)";
        } catch (Exception e) {
            return "a topic of " + topics + " does not exist on " + config.bootstrapServers();
        }
    }
}
