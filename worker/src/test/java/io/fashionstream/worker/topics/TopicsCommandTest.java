package io.fashionstream.worker.topics;

import io.fashionstream.worker.WorkerCli;
import io.fashionstream.worker.testing.StdoutCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code topics --print}: the exact kafka-topics.sh lines the README shows; bad values are usage errors. */
class TopicsCommandTest {
    @RegisterExtension
    final StdoutCapture stdout = new StdoutCapture();

    @Test
    void printsOneKafkaTopicsLinePerTopicWithTheSettingsTheWorkerNeeds() {
        assertEquals(0, WorkerCli.run(Map.of(), "topics", "--print", "--bootstrap-servers", "kafka:9092"));
        List<String> lines = stdout.text().strip().lines().toList();
        assertEquals(List.of(
                "kafka-topics.sh --bootstrap-server kafka:9092 --create --if-not-exists --topic catalog-images"
                        + " --partitions 12 --replication-factor 3 --config max.message.bytes=10551296"
                        + " --config min.insync.replicas=2",
                "kafka-topics.sh --bootstrap-server kafka:9092 --create --if-not-exists --topic catalog-labels"
                        + " --partitions 12 --replication-factor 3 --config min.insync.replicas=2",
                "kafka-topics.sh --bootstrap-server kafka:9092 --create --if-not-exists --topic catalog-images.dlq"
                        + " --partitions 1 --replication-factor 3 --config max.message.bytes=10616832"
                        + " --config retention.ms=1209600000 --config min.insync.replicas=2",
                "kafka-topics.sh --bootstrap-server kafka:9092 --create --if-not-exists --topic catalog-labels.review"
                        + " --partitions 1 --replication-factor 3 --config retention.ms=1209600000"
                        + " --config min.insync.replicas=2",
                "kafka-topics.sh --bootstrap-server kafka:9092 --create --if-not-exists --topic catalog-models"
                        + " --partitions 1 --replication-factor 3 --config cleanup.policy=compact"
                        + " --config max.message.bytes=33619968 --config min.insync.replicas=2"), lines);
    }

    @Test
    void aSingleReplicaHasNoMinInSyncSettingAndTheImageLimitSizesTheTopics() {
        assertEquals(0, WorkerCli.run(Map.of(), "topics", "--print", "--replication-factor", "1", "--partitions", "6",
                "--max-image-bytes", "1000000"));
        String first = stdout.text().lines().findFirst().orElseThrow();
        assertTrue(first.endsWith("--partitions 6 --replication-factor 1 --config max.message.bytes=1065536"), first);
    }

    @Test
    void badValuesAreUsageErrors() {
        assertEquals(WorkerCli.EXIT_USAGE, WorkerCli.run(Map.of(), "topics", "--print", "--partitions", "0"));
        assertEquals(WorkerCli.EXIT_USAGE, WorkerCli.run(Map.of(), "topics", "--print", "--replication-factor", "0"));
        assertEquals(WorkerCli.EXIT_USAGE, WorkerCli.run(Map.of(), "topics", "--print", "--input-topic", "bad topic"));
        assertEquals(WorkerCli.EXIT_USAGE, WorkerCli.run(Map.of(), "topics", "--kafka-property", "acks=2"));
    }
}
