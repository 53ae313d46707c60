package io.fashionstream.worker.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.Json;
import io.fashionstream.worker.testing.TestInputs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.fashionstream.worker.testing.RecordSchemas;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the integration tests do to a real broker: create topics, send inputs, read outputs as read_committed. */
final class KafkaTestClient {
    private final String bootstrapServers;

    KafkaTestClient(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Fresh input (6 partitions), results, dead-letter and review topics for one test. */
    Topics createTopics() throws Exception {
        return createTopics(Map.of(), Map.of(), Map.of());
    }

    /** Fresh topics with topic settings of their own (e.g. {@code max.message.bytes}). */
    Topics createTopics(Map<String, String> input, Map<String, String> results, Map<String, String> deadLetters)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Topics t = new Topics("images-" + run, "labels-" + run, "dlq-" + run, "review-" + run, "group-" + run);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(t.input(), 6, (short) 1).configs(input),
                    new NewTopic(t.results(), 3, (short) 1).configs(results),
                    new NewTopic(t.deadLetters(), 1, (short) 1).configs(deadLetters),
                    new NewTopic(t.review(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            io.fashionstream.kafkakit.TopicLeaders.await(admin, List.of(t.input(), t.results(), t.deadLetters(), t.review()),
                    java.time.Duration.ofSeconds(30));
        }
        return t;
    }

    record Topics(String input, String results, String deadLetters, String review, String group) {
    }

    /** One input: key, value and headers (name, value pairs). */
    static ProducerRecord<byte[], byte[]> input(String topic, String key, byte[] value, String... headers) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    void send(List<ProducerRecord<byte[], byte[]>> records) {
        send(records, Map.of());
    }

    /** Sends with producer settings of its own over the defaults (e.g. a larger {@code max.request.size}). */
    void send(List<ProducerRecord<byte[], byte[]>> records, Map<String, Object> settings) {
        Map<String, Object> props = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                // One request in flight: on a just-created topic a retried first batch could otherwise
                // land behind later ones and be refused as out of sequence.
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        props.putAll(settings);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            records.forEach(producer::send);
            producer.flush();
        }
    }

    /**
     * Everything a read_committed consumer finds in {@code topics} once {@code done} holds for
     * what was read (or {@code timeout} passes), plus a short extra read so late duplicates show up.
     */
    List<ConsumerRecord<byte[], byte[]>> readCommitted(List<String> topics, Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
                                                       Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(out) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            long settle = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            while (System.nanoTime() < settle) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        out.forEach(KafkaTestClient::checkSchema);
        return out;
    }

    /** Every result, review record and dead letter a test reads must match its published schema. */
    static void checkSchema(ConsumerRecord<byte[], byte[]> r) {
        if (r.topic().startsWith("labels-")) {
            RecordSchemas.RESULT.check(r.value());
        } else if (r.topic().startsWith("review-")) {
            RecordSchemas.REVIEW.check(r.value());
        } else if (r.topic().startsWith("dlq-")) {
            RecordSchemas.checkDeadLetter(r.headers());
        }
    }

    /** The group's committed offsets on {@code topic}, summed over partitions. */
    long committedTotal(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    static JsonNode json(ConsumerRecord<byte[], byte[]> r) {
        try {
            return Json.MAPPER.readTree(r.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Inputs item-{from}..item-{to - 1}: raw test images with their label header. */
    static List<ProducerRecord<byte[], byte[]>> labelledRaw(String topic, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(input(topic, "item-" + i, TestInputs.raw(i % 10_000), "label", Integer.toString(TestInputs.label(i % 10_000))));
        }
        return records;
    }

    static Map<String, Integer> countById(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Integer> counts = new HashMap<>();
        records.forEach(r -> counts.merge(key(r), 1, Integer::sum));
        return counts;
    }

    /** Each of item-{from}..item-{to - 1} answered exactly once, and nothing else. */
    static void assertEachExactlyOnce(List<ConsumerRecord<byte[], byte[]>> answers, int from, int to) {
        Map<String, Integer> counts = countById(answers);
        for (int i = from; i < to; i++) {
            assertEquals(1, counts.getOrDefault("item-" + i, 0), "answers for item-" + i);
        }
        assertEquals(to - from, answers.size(), "no answer for anything else, none twice");
    }
}
