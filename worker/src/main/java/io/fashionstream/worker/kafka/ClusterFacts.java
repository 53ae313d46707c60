package io.fashionstream.worker.kafka;

import io.fashionstream.worker.records.DeadLetters;

import java.util.Map;

/**
 * What the preflight learnt of the cluster that the workers adapt to.
 *
 * @param inputPartitions         partitions of the input topic: the most consumers that get work
 * @param maxMessageBytes         each topic's {@code max.message.bytes}, where it could be read
 * @param consumerProtocolEnabled whether the broker offers the consumer group protocol (KIP-848)
 */
public record ClusterFacts(int inputPartitions, Map<String, Integer> maxMessageBytes, boolean consumerProtocolEnabled) {
    public ClusterFacts {
        maxMessageBytes = Map.copyOf(maxMessageBytes);
    }

    /** A topic's largest record batch, or Kafka's default where it could not be read. */
    public int maxMessageBytes(String topic) {
        return maxMessageBytes.getOrDefault(topic, DeadLetters.KAFKA_DEFAULT_MAX_RECORD_BYTES);
    }
}
