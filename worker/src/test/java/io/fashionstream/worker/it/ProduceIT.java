package io.fashionstream.worker.it;

import io.fashionstream.worker.WorkerCli;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.worker.testing.TestInputs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code fashion-worker produce} against a real broker: what lands on the topic is what was asked for. */
class ProduceIT {
    private static EmbeddedKafka broker;
    private static KafkaTestClient kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafka.start();
        kafka = new KafkaTestClient(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void aDirectoryWithACsvIsSentOnceWithKeysLabelsAndTheFilesBytes() throws Exception {
        String topic = kafka.createTopics().input();
        Files.createDirectories(dir.resolve("shop"));
        Files.write(dir.resolve("shop/a.png"), TestInputs.png(0));
        Files.write(dir.resolve("shop/b.raw"), TestInputs.raw(1));
        Files.write(dir.resolve("c.png"), TestInputs.png(2));
        Files.writeString(dir.resolve("labels.csv"), "file,label\nshop/a.png,Ankle boot\nshop/b.raw,2\n");

        assertEquals(0, produce("--topic", topic, "--dir", dir.toString(), "--labels", dir.resolve("labels.csv").toString()));

        Map<String, ConsumerRecord<byte[], byte[]>> byKey = read(topic, 3);
        assertEquals(List.of("c.png", "shop/a.png", "shop/b.raw"), byKey.keySet().stream().sorted().toList());
        assertEquals("9", KafkaTestClient.header(byKey.get("shop/a.png"), "label"));
        assertEquals("2", KafkaTestClient.header(byKey.get("shop/b.raw"), "label"));
        assertNull(KafkaTestClient.header(byKey.get("c.png"), "label"), "not in the CSV: sent unlabelled");
        assertArrayEquals(TestInputs.raw(1), byKey.get("shop/b.raw").value());
        assertArrayEquals(TestInputs.png(2), byKey.get("c.png").value());
    }

    @Test
    void theShippedTestSplitIsTheDefaultSource() throws Exception {
        String topic = kafka.createTopics().input();
        assertEquals(0, produce("--topic", topic, "--count", "40", "--rate", "400"));

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readCommitted(List.of(topic), r -> r.size() >= 40,
                Duration.ofSeconds(60));
        assertEquals(40, records.size());
        ConsumerRecord<byte[], byte[]> first = records.stream()
                .filter(r -> KafkaTestClient.key(r).equals("fashion-mnist-test-00007")).findFirst().orElseThrow();
        assertArrayEquals(TestInputs.png(7), first.value());
        assertEquals(Integer.toString(TestInputs.label(7)), KafkaTestClient.header(first, "label"));
    }

    @Test
    void loopingStartsOverUntilCountIsReached() throws Exception {
        String topic = kafka.createTopics().input();
        for (int i = 0; i < 3; i++) {
            Files.write(dir.resolve(i + ".png"), TestInputs.png(i));
        }
        assertEquals(0, produce("--topic", topic, "--dir", dir.toString(), "--loop", "--count", "7"));

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readCommitted(List.of(topic), r -> r.size() >= 7,
                Duration.ofSeconds(60));
        assertEquals(Map.of("0.png", 3L, "1.png", 2L, "2.png", 2L), records.stream()
                .collect(Collectors.groupingBy(KafkaTestClient::key, Collectors.counting())));
    }

    @Test
    void aMissingTopicIsOneLineAndExitCode1() {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = produce("--topic", "no-such-topic", "--startup-timeout-ms", "20000");
        } finally {
            System.setErr(original);
        }
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(WorkerCli.EXIT_FAILED, code, message);
        assertTrue(message.startsWith("error: topic 'no-such-topic' not found"), message);
        assertTrue(message.contains("--topic"), message);
    }

    private static int produce(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "produce";
        all[1] = "--bootstrap-servers";
        all[2] = broker.bootstrapServers();
        System.arraycopy(args, 0, all, 3, args.length);
        return WorkerCli.run(Map.of(), all);
    }

    private static Map<String, ConsumerRecord<byte[], byte[]>> read(String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readCommitted(List.of(topic), r -> r.size() >= expected,
                Duration.ofSeconds(60));
        assertEquals(expected, records.size(), "exactly one record per file");
        return records.stream().collect(Collectors.toMap(KafkaTestClient::key, Function.identity()));
    }
}
