package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The poll stage: fetches input records into a queue, oldest first, from which the loop fills its
 * micro-batch. Its rebalance listener only records what was revoked or lost
 * ({@link #takeChanges}) and how many partitions are owned: the loop acts on a change after the
 * poll returns, when it holds nothing half-done. Used by the worker thread only, except the
 * thread-safe {@link #owned()} and {@link #hasJoined()}.
 */
final class PollStage {
    private static final Logger log = LoggerFactory.getLogger(PollStage.class);

    private final String worker;
    private final Consumer<byte[], byte[]> consumer;
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> fetched = new ArrayDeque<>();
    private final Set<TopicPartition> revoked = new HashSet<>();
    private final Set<TopicPartition> lost = new HashSet<>();
    private final Recorder recorder = new Recorder();
    private volatile boolean joined;
    private volatile int owned;

    PollStage(String worker, Consumer<byte[], byte[]> consumer) {
        this.worker = worker;
        this.consumer = consumer;
    }

    void subscribe(String topic) {
        consumer.subscribe(List.of(topic), recorder);
    }

    /** The rebalance listener it subscribes with. */
    ConsumerRebalanceListener recorder() {
        return recorder;
    }

    /** Polls once, waiting up to {@code waitMillis} for records, and queues what came; returns those records. */
    ConsumerRecords<byte[], byte[]> poll(long waitMillis) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(waitMillis));
        for (ConsumerRecord<byte[], byte[]> record : records) {
            fetched.add(record);
        }
        return records;
    }

    /** What rebalances revoked or lost since the last call; clears it. */
    PartitionChanges takeChanges() {
        if (revoked.isEmpty() && lost.isEmpty()) {
            return PartitionChanges.NONE;
        }
        PartitionChanges changes = new PartitionChanges(revoked, lost);
        revoked.clear();
        lost.clear();
        return changes;
    }

    boolean isEmpty() {
        return fetched.isEmpty();
    }

    int size() {
        return fetched.size();
    }

    /** The oldest fetched record, taken out of the queue; null when none. */
    ConsumerRecord<byte[], byte[]> next() {
        return fetched.poll();
    }

    /** Whether any fetched record matches. */
    boolean holdsAny(Predicate<ConsumerRecord<byte[], byte[]>> test) {
        return fetched.stream().anyMatch(test);
    }

    /** Empties the queue and returns what it held. */
    List<ConsumerRecord<byte[], byte[]>> clear() {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(fetched);
        fetched.clear();
        return all;
    }

    /**
     * Moves each owned partition back to its committed offset, or, without one, to the first
     * offset in {@code firstHeld}: what follows is fetched again.
     */
    void seekBack(Map<TopicPartition, OffsetAndMetadata> committed, Map<TopicPartition, Long> firstHeld) {
        for (TopicPartition tp : consumer.assignment()) {
            OffsetAndMetadata c = committed.get(tp);
            if (c != null) {
                consumer.seek(tp, c);
            } else if (firstHeld.containsKey(tp)) {
                consumer.seek(tp, firstHeld.get(tp));
            }
        }
    }

    Set<TopicPartition> assignment() {
        return consumer.assignment();
    }

    /** Whether the consumer has been given partitions (joined its group) at least once; thread-safe. */
    boolean hasJoined() {
        return joined;
    }

    /** Input partitions owned as of the last rebalance; thread-safe. */
    int owned() {
        return owned;
    }

    static TopicPartition partitionOf(ConsumerRecord<?, ?> record) {
        return new TopicPartition(record.topic(), record.partition());
    }

    private static String names(Collection<TopicPartition> partitions) {
        return partitions.stream().sorted((a, b) -> a.topic().equals(b.topic())
                        ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()))
                .map(TopicPartition::toString).reduce((a, b) -> a + ", " + b).orElse("");
    }

    /** Records what a rebalance took and gave, and says so once; acts on nothing. */
    private final class Recorder implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            owned = Math.max(0, consumer.assignment().size() - partitions.size());
            if (!partitions.isEmpty()) {
                log.info("{}: {} partition(s) revoked ({})", worker, partitions.size(), names(partitions));
                revoked.addAll(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            owned = Math.max(0, consumer.assignment().size() - partitions.size());
            log.warn("{}: {} partition(s) lost ({}) without a chance to commit; their next owner redoes what was in flight",
                    worker, partitions.size(), names(partitions));
            lost.addAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty() || !joined) {
                log.info("{}: {} partition(s) assigned ({}); it now reads {}", worker, partitions.size(),
                        names(partitions), consumer.assignment().size());
            }
            owned = consumer.assignment().size();
            joined = true;
        }
    }
}
