package io.fashionstream.worker.kafka;

import io.fashionstream.worker.config.WorkerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks, before any worker starts, that the cluster answers and the worker's topics exist, so a
 * wrong address or a missing topic is one clear message within the startup timeout instead of a
 * consumer that waits silently forever; and reads what the workers must adapt to: the topics'
 * size limits and whether the broker offers Kafka 4's consumer group protocol.
 */
public final class Preflight {
    /** The feature that enables the consumer group protocol (KIP-848) on a broker, from level 1. */
    static final String GROUP_VERSION_FEATURE = "group.version";

    private Preflight() {
    }

    /** Checks the worker's topics and reads the facts the workers depend on. */
    public static ClusterFacts check(WorkerConfig config) throws KafkaUnavailableException {
        List<String> topics = new java.util.ArrayList<>(List.of(config.inputTopic(), config.resultsTopic(),
                config.deadLetterTopic()));
        if (!Double.valueOf(0).equals(config.reviewThreshold())) {
            topics.add(config.reviewTopic()); // unsure answers go there, in the results' transaction
        }
        Map<String, Object> props = adminProps(KafkaClients.common(config), config.startupTimeout());
        try (Admin admin = Admin.create(props)) {
            Map<String, TopicDescription> described = describe(admin, props, topics, config.startupTimeout(),
                    "--input-topic/--results-topic/--dead-letter-topic/--review-topic (or --review-threshold 0)");
            return new ClusterFacts(described.get(config.inputTopic()).partitions().size(),
                    maxMessageBytes(admin, topics, config.startupTimeout()),
                    consumerProtocolEnabled(admin, config.startupTimeout()));
        }
    }

    /**
     * Checks that the cluster of {@code clientProps} answers within {@code timeout} and that
     * every topic exists; {@code topicOptions} names the options that choose them, for the hint.
     */
    public static Map<String, TopicDescription> checkTopics(Map<String, Object> clientProps, List<String> topics,
                                                            Duration timeout, String topicOptions)
            throws KafkaUnavailableException {
        Map<String, Object> props = adminProps(clientProps, timeout);
        try (Admin admin = Admin.create(props)) {
            return describe(admin, props, topics, timeout, topicOptions);
        }
    }

    static Map<String, Object> adminProps(Map<String, Object> clientProps, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientProps);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        return props;
    }

    private static Map<String, TopicDescription> describe(Admin admin, Map<String, Object> props, List<String> topics,
                                                          Duration timeout, String topicOptions)
            throws KafkaUnavailableException {
        String servers = String.valueOf(props.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        long timeoutMs = timeout.toMillis();
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

    /**
     * Each topic's {@code max.message.bytes} (its own or the broker's default). A topic whose
     * configuration cannot be read (no DescribeConfigs permission) is left out: Kafka's default applies.
     */
    private static Map<String, Integer> maxMessageBytes(Admin admin, List<String> topics, Duration timeout) {
        Map<String, Integer> limits = new LinkedHashMap<>();
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        try {
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            configs.forEach((resource, config) -> {
                ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (entry != null && entry.value() != null) {
                    limits.put(resource.name(), Integer.parseInt(entry.value()));
                }
            });
        } catch (ExecutionException | TimeoutException | NumberFormatException e) {
            // Not allowed to read them, or a broker that will not say: Kafka's defaults are assumed.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return limits;
    }

    /** Whether the broker has the consumer group protocol (KIP-848) enabled: feature group.version at 1 or more. */
    private static boolean consumerProtocolEnabled(Admin admin, Duration timeout) {
        try {
            FinalizedVersionRange groupVersion = admin.describeFeatures().featureMetadata()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).finalizedFeatures().get(GROUP_VERSION_FEATURE);
            return groupVersion != null && groupVersion.maxVersionLevel() >= 1;
        } catch (ExecutionException | TimeoutException e) {
            return false; // a broker without feature flags predates the protocol
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static KafkaUnavailableException unreachable(String servers, Duration timeout, Throwable cause) {
        return new KafkaUnavailableException(String.format(
                "cannot reach Kafka at %s within %d s (is the broker running? check --bootstrap-servers and the security settings)",
                servers, timeout.toSeconds()), cause);
    }

    private static String missingTopic(Admin admin, String servers, List<String> topics, long timeoutMs,
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
