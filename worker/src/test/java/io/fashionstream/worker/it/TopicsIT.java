package io.fashionstream.worker.it;

import io.fashionstream.worker.WorkerCli;
import io.fashionstream.worker.testing.StdoutCapture;
import io.fashionstream.kafkakit.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code topics} against a real broker: creates the three topics with their settings, and leaves them be the next time. */
class TopicsIT {
    @RegisterExtension
    final StdoutCapture stdout = new StdoutCapture();

    @Test
    void createsTheFiveTopicsWithTheirSettingsOnceAndLeavesThemBeAfter() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            String[] args = {"topics", "--bootstrap-servers", broker.bootstrapServers(), "--partitions", "4",
                    "--input-topic", "in", "--results-topic", "out", "--dead-letter-topic", "in.dlq",
                    "--review-topic", "out.review"};
            assertEquals(0, WorkerCli.run(Map.of(), args));
            String first = stdout.text();
            assertTrue(first.contains("created in: 4 partition(s) x 1 replica(s), max.message.bytes=10551296"), first);
            assertTrue(first.contains("created in.dlq: 1 partition(s)"), first);
            assertTrue(first.contains("created out.review: 1 partition(s)"), first);
            assertTrue(first.contains("created catalog-models: 1 partition(s) x 1 replica(s), cleanup.policy=compact,"
                    + " max.message.bytes=33619968"), first);

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                Map<String, TopicDescription> topics = admin.describeTopics(List.of("in", "out", "in.dlq"))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
                assertEquals(4, topics.get("in").partitions().size());
                assertEquals(4, topics.get("out").partitions().size());
                assertEquals(1, topics.get("in.dlq").partitions().size());
                ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, "in.dlq");
                Config config = admin.describeConfigs(List.of(dlq)).all().get(30, TimeUnit.SECONDS).get(dlq);
                assertEquals("10616832", config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
                assertEquals("1209600000", config.get(TopicConfig.RETENTION_MS_CONFIG).value());
                ConfigResource releases = new ConfigResource(ConfigResource.Type.TOPIC, "catalog-models");
                Config compacted = admin.describeConfigs(List.of(releases)).all().get(30, TimeUnit.SECONDS).get(releases);
                assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, compacted.get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
            }

            stdout.reset();
            assertEquals(0, WorkerCli.run(Map.of(), args));
            String second = stdout.text();
            assertEquals(5, second.lines().filter(l -> l.startsWith("exists")).count(), second);
        }
    }
}
