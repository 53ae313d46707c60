package io.fashionstream.kafkakit;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real single-node Apache Kafka cluster (KRaft, combined broker and controller) running inside
 * this JVM, from Kafka's own test kit: what the demo and the integration tests talk to. It starts
 * at the metadata version and feature levels a stock broker of this Kafka release starts with
 * (the test kit would otherwise enable unreleased ones). Its data lives in a temporary directory
 * removed on {@link #close()}.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** Settings a one-node cluster needs (internal topics cannot have three replicas) plus quick startup. */
    private static final Map<String, String> SINGLE_NODE = Map.of(
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "6",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "6",
            "group.initial.rebalance.delay.ms", "0",
            "unstable.feature.versions.enable", "false",
            "unstable.api.versions.enable", "false",
            // Topics are created explicitly, as in production; a typo must not create one.
            "auto.create.topics.enable", "false");

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats, starts and waits for the broker to be ready. */
    public static EmbeddedKafka start() throws Exception {
        return start(Map.of(), Map.of());
    }

    /**
     * A broker with {@code brokerConfig} over the defaults, formatted with {@code featureLevels}
     * over a stock broker's (e.g. {@code group.version=0}: a broker without the consumer group protocol).
     */
    public static EmbeddedKafka start(Map<String, String> brokerConfig, Map<String, Short> featureLevels)
            throws Exception {
        MetadataVersion version = MetadataVersion.latestProduction();
        Map<String, Short> features = new TreeMap<>();
        for (Feature f : Feature.PRODUCTION_FEATURES) {
            features.put(f.featureName(), f.defaultLevel(version));
        }
        features.putAll(featureLevels);
        TestKitNodes nodes = new TestKitNodes.Builder(BootstrapMetadata.fromVersions(version, features, "fashion-stream"))
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        Map<String, String> config = new HashMap<>(SINGLE_NODE);
        config.putAll(brokerConfig);
        config.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        try {
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster);
    }

    /** The test kit's formatter prints to stdout, which must stay clean for {@code --json}. */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
