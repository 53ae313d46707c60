package io.fashionstream.worker.topics;

import io.fashionstream.core.Printable;
import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.worker.WorkerCli;
import io.fashionstream.worker.config.ClusterOptions;
import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.release.ReleaseTopic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code fashion-worker topics}: creates the pipeline's topics (input, results, dead letters, review, releases) on a cluster ({@link TopicPlan}),
 * leaving any that exist as they are, or prints the {@code kafka-topics.sh} lines that do it.
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the input, results, dead-letter, review and release topics (or print the kafka-topics.sh lines that do).")
public final class TopicsCommand implements Callable<Integer> {
    static final int DEFAULT_PARTITIONS = 12;
    /** Replicas when the cluster is not asked (--print): a production cluster's usual factor. */
    static final short PRINTED_REPLICAS = 3;
    /** Kafka's record size settings are ints; far above any sensible image. */
    static final int MAX_IMAGE_BYTES = 1 << 30;

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--input-topic", defaultValue = WorkerConfig.DEFAULT_INPUT_TOPIC, description = "(default: ${DEFAULT-VALUE})")
    String inputTopic;

    @Option(names = "--results-topic", defaultValue = WorkerConfig.DEFAULT_RESULTS_TOPIC, description = "(default: ${DEFAULT-VALUE})")
    String resultsTopic;

    @Option(names = "--dead-letter-topic", defaultValue = WorkerConfig.DEFAULT_DEAD_LETTER_TOPIC,
            description = "(default: ${DEFAULT-VALUE})")
    String deadLetterTopic;

    @Option(names = "--review-topic", defaultValue = WorkerConfig.DEFAULT_REVIEW_TOPIC,
            description = "(default: ${DEFAULT-VALUE})")
    String reviewTopic;

    @Option(names = "--release-topic", defaultValue = ReleaseTopic.DEFAULT_NAME,
            description = "The compacted topic of model releases and rollouts; empty: not created (default: ${DEFAULT-VALUE})")
    String releaseTopic;

    @Option(names = "--partitions", defaultValue = "" + DEFAULT_PARTITIONS,
            description = "Partitions of the input and results topics: the most worker threads that share the load"
                    + " (default: ${DEFAULT-VALUE}; the dead-letter topic has 1)")
    int partitions;

    @Option(names = "--replication-factor",
            description = "Replicas of each partition (default: 3, or the number of brokers where fewer)")
    Short replicationFactor;

    @Option(names = "--max-image-bytes", defaultValue = "" + ImageLimits.DEFAULT_MAX_BYTES,
            description = "Largest image the input topic takes, as the workers' --max-image-bytes (default: ${DEFAULT-VALUE})")
    int maxImageBytes;

    @Option(names = "--print", description = "Print the kafka-topics.sh lines instead of creating the topics")
    boolean print;

    @Option(names = "--timeout-ms", defaultValue = "" + WorkerConfig.DEFAULT_STARTUP_TIMEOUT_MS,
            description = "How long to wait for the cluster (default: ${DEFAULT-VALUE})")
    long timeoutMs;

    private final ConfigSources sources;

    public TopicsCommand(ConfigSources sources) {
        this.sources = sources;
    }

    @Override
    public Integer call() throws Exception {
        sources.checkFileKeys(spec);
        validate();
        PrintWriter out = spec.commandLine().getOut();
        if (print) {
            for (TopicPlan plan : plans(replicationFactor != null ? replicationFactor : PRINTED_REPLICAS)) {
                out.println(plan.kafkaTopicsLine(cluster.bootstrapServers()));
            }
            out.flush();
            return 0;
        }
        Map<String, Object> props = cluster.clientProps(sources);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 30_000));
        try (Admin admin = Admin.create(props)) {
            short replicas = replicationFactor != null ? replicationFactor
                    : (short) Math.min(PRINTED_REPLICAS, admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size());
            List<TopicPlan> plans = plans(replicas);
            CreateTopicsResult result = admin.createTopics(plans.stream().map(TopicPlan::toNewTopic).toList());
            for (TopicPlan plan : plans) {
                try {
                    result.values().get(plan.name()).get(timeoutMs, TimeUnit.MILLISECONDS);
                    out.println("created " + plan.describe());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    out.println("exists  " + plan.name() + " (left as it is)");
                }
            }
        } catch (TimeoutException e) {
            spec.commandLine().getErr().println("error: no answer from Kafka at " + cluster.bootstrapServers() + " within " + timeoutMs + " ms");
            return WorkerCli.EXIT_FAILED;
        } catch (ExecutionException e) {
            spec.commandLine().getErr().println("error: Kafka refused: " + Printable.collapsed(e.getCause().getMessage()));
            return WorkerCli.EXIT_FAILED;
        }
        out.flush();
        return 0;
    }

    private List<TopicPlan> plans(short replicas) {
        List<TopicPlan> plans = new java.util.ArrayList<>(TopicPlan.pipeline(inputTopic, resultsTopic, deadLetterTopic,
                reviewTopic, partitions, replicas, maxImageBytes));
        if (!releaseTopic.isEmpty()) {
            plans.add(TopicPlan.releases(releaseTopic, replicas, ReleaseTopic.MAX_RECORD_BYTES));
        }
        return plans;
    }

    private void validate() {
        // The same names and bounds the workers accept.
        WorkerConfig.builder().inputTopic(inputTopic).resultsTopic(resultsTopic).deadLetterTopic(deadLetterTopic).reviewTopic(reviewTopic)
                .releaseTopic(releaseTopic)
                .imageLimits(new ImageLimits(maxImageBytes, ImageLimits.DEFAULT_MAX_PIXELS)).build();
        if (maxImageBytes > MAX_IMAGE_BYTES) {
            throw new IllegalArgumentException("--max-image-bytes must be at most " + MAX_IMAGE_BYTES + " (1 GiB), not " + maxImageBytes);
        }
        if (partitions < 1 || partitions > 10_000) {
            throw new IllegalArgumentException("--partitions must be between 1 and 10000, not " + partitions);
        }
        if (replicationFactor != null && replicationFactor < 1) {
            throw new IllegalArgumentException("--replication-factor must be at least 1, not " + replicationFactor);
        }
        if (timeoutMs < 1 || timeoutMs > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--timeout-ms must be positive, not " + timeoutMs);
        }
    }
}
