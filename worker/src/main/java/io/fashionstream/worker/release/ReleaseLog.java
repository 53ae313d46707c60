package io.fashionstream.worker.release;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The release topic read from its beginning, outside any consumer group (every reader sees every
 * record): the releases it holds, indexed by id with their offsets, and the rollouts in order.
 * A release's bytes are not kept; {@link #release} reads them again from its offset. A record that
 * cannot be read is logged and skipped. Used by one thread at a time.
 */
public final class ReleaseLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReleaseLog.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final TopicPartition partition;
    private final Map<String, ReleaseTopic.ReleaseEntry> releases = new LinkedHashMap<>();
    private final List<Rollout> history = new ArrayList<>();
    private boolean assigned;

    /** @param clientProps the cluster's client settings (bootstrap servers, security) */
    public ReleaseLog(Map<String, Object> clientProps, String topic) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, ReleaseTopic.MAX_RECORD_BYTES);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, ReleaseTopic.MAX_RECORD_BYTES);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "fashion-releases");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
    }

    /** Whether the topic exists (asked of the cluster until it does); once it does, reading starts from its beginning. */
    public boolean exists(Duration timeout) {
        if (assigned) {
            return true;
        }
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
        if (partitions == null || partitions.isEmpty()) {
            return false;
        }
        if (partitions.size() > 1) {
            log.warn("release topic {} has {} partitions; releases are read from partition 0 only", topic, partitions.size());
        }
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        assigned = true;
        return true;
    }

    /**
     * Reads up to the end the topic had when called; true once there (or when the topic does not
     * exist), false when {@code timeout} ran out first.
     */
    public boolean catchUp(Duration timeout) {
        if (!exists(timeout)) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long end = consumer.endOffsets(List.of(partition), timeout).getOrDefault(partition, 0L);
        while (consumer.position(partition, timeout) < end) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            poll(POLL);
        }
        return true;
    }

    /** One poll; the rollouts it read. */
    public List<Rollout> poll(Duration timeout) {
        if (!assigned && !exists(timeout)) {
            return List.of();
        }
        List<Rollout> read = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            try {
                Optional<ReleaseTopic.Entry> entry = ReleaseTopic.read(record, false);
                if (entry.isPresent() && entry.get() instanceof ReleaseTopic.ReleaseEntry release) {
                    releases.remove(release.release().id()); // listed in the order last published
                    releases.put(release.release().id(), release);
                } else if (entry.isPresent() && entry.get() instanceof ReleaseTopic.RolloutEntry rollout) {
                    history.add(rollout.rollout());
                    read.add(rollout.rollout());
                }
            } catch (IOException | RuntimeException e) {
                log.error("release topic {} offset {} (key {}) is not a release or rollout record; skipped: {}", topic,
                        record.offset(), record.key(), e.getMessage());
            }
        }
        return read;
    }

    /** The latest rollout: what should be live. */
    public Optional<Rollout> latest() {
        return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
    }

    /** Every rollout read, oldest first. */
    public List<Rollout> history() {
        return List.copyOf(history);
    }

    /** Every release read (without bytes), in the order they were last published. */
    public Collection<ModelRelease> releases() {
        return releases.values().stream().map(ReleaseTopic.ReleaseEntry::release).toList();
    }

    /** A release's listing (without bytes), if the topic holds it. */
    public Optional<ModelRelease> listed(String id) {
        return Optional.ofNullable(releases.get(id)).map(ReleaseTopic.ReleaseEntry::release);
    }

    /**
     * A release with its bytes, read again from its offset; the reading position is restored after.
     *
     * @throws IOException when the topic does not hold it, or no longer can give it within {@code timeout}
     */
    public ModelRelease release(String id, Duration timeout) throws IOException {
        ReleaseTopic.ReleaseEntry entry = releases.get(id);
        if (entry == null) {
            throw new IOException("the release topic " + topic + " holds no release " + id);
        }
        long resume = consumer.position(partition, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            consumer.seek(partition, entry.offset());
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() >= entry.offset()) {
                        Optional<ReleaseTopic.Entry> read = ReleaseTopic.read(record, true);
                        if (record.offset() == entry.offset() && read.isPresent()
                                && read.get() instanceof ReleaseTopic.ReleaseEntry found) {
                            return found.release();
                        }
                        throw new IOException("release " + id + " is no longer at offset " + entry.offset() + " of " + topic);
                    }
                }
            }
            throw new IOException("release " + id + " was not read back from " + topic + " within " + timeout.toMillis() + " ms");
        } finally {
            consumer.seek(partition, resume);
        }
    }

    public String topic() {
        return topic;
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
    }
}
