package io.fashionstream.worker.kafka;

import org.apache.kafka.common.TopicPartition;

import java.util.HashSet;
import java.util.Set;

/**
 * What rebalances took from a consumer since the loop last looked: partitions revoked (it may
 * still try to commit what it sent of them) and partitions lost (too late to commit anything).
 * The loop acts on them at a safe point, after its poll returns.
 */
record PartitionChanges(Set<TopicPartition> revoked, Set<TopicPartition> lost) {
    static final PartitionChanges NONE = new PartitionChanges(Set.of(), Set.of());

    PartitionChanges {
        revoked = Set.copyOf(revoked);
        lost = Set.copyOf(lost);
    }

    boolean isEmpty() {
        return revoked.isEmpty() && lost.isEmpty();
    }

    /** Every partition the consumer no longer owns. */
    Set<TopicPartition> gone() {
        Set<TopicPartition> all = new HashSet<>(revoked);
        all.addAll(lost);
        return all;
    }
}
