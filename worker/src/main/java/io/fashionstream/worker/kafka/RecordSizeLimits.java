package io.fashionstream.worker.kafka;

import io.fashionstream.worker.config.WorkerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.Optional;

/**
 * How large the records a worker reads and writes may be: each topic's {@code max.message.bytes}
 * and the producer's {@code max.request.size}. Unless set with {@code --kafka-property}, the
 * producer's limit follows the output topics', so that any answer a topic takes can be sent.
 *
 * @param maxRequestBytes the producer's {@code max.request.size}
 */
public record RecordSizeLimits(int inputTopicBytes, int resultsTopicBytes, int deadLetterTopicBytes, int maxRequestBytes) {
    /** Room for the request's own framing around the largest record batch. */
    static final int REQUEST_MARGIN = 16 * 1024;
    /** The producer's default {@code batch.size}. */
    static final int DEFAULT_BATCH_BYTES = 16 * 1024;
    /** Room for a record batch's own framing under a topic's limit. */
    static final int BATCH_MARGIN = 512;

    public static RecordSizeLimits of(WorkerConfig config, ClusterFacts facts) {
        int results = facts.maxMessageBytes(config.resultsTopic());
        int deadLetters = facts.maxMessageBytes(config.deadLetterTopic());
        String configured = config.kafkaProperties().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        int request = configured != null ? Integer.parseInt(configured.trim())
                : Math.max(results, deadLetters) + REQUEST_MARGIN;
        return new RecordSizeLimits(facts.maxMessageBytes(config.inputTopic()), results, deadLetters, request);
    }

    /**
     * The producer's {@code batch.size}: never more than an output topic takes. A batch the broker
     * refuses as too large is split by the producer into batches of this size and sent again; were
     * that larger than the topic's limit, the split would be refused again, endlessly (KAFKA-8202).
     */
    public int batchBytes() {
        return Math.max(1024, Math.min(DEFAULT_BATCH_BYTES, Math.min(resultsTopicBytes, deadLetterTopicBytes) - BATCH_MARGIN));
    }

    /** The largest dead letter the topic and the producer both take. */
    public int deadLetterBytes() {
        return Math.min(deadLetterTopicBytes, maxRequestBytes);
    }

    /**
     * A warning when the dead-letter topic cannot hold every input the input topic accepts, or
     * empty when it can.
     */
    public Optional<String> deadLetterWarning(WorkerConfig config) {
        if (deadLetterBytes() >= inputTopicBytes) {
            return Optional.empty();
        }
        return Optional.of(String.format("dead-letter topic '%s' takes records up to %s but input topic '%s' accepts"
                        + " up to %s: a larger input is dead-lettered with its value cut (headers fashion.value.truncated,"
                        + " fashion.value.size, fashion.value.sha256; the original stays at fashion.source.* while"
                        + " retention lasts). Raise the dead-letter topic's max.message.bytes to keep whole copies.",
                config.deadLetterTopic(), bytes(deadLetterBytes()), config.inputTopic(), bytes(inputTopicBytes)));
    }

    private static String bytes(int n) {
        return n >= 1 << 20 ? String.format("%.1f MiB", n / 1048576.0) : String.format("%.0f KiB", n / 1024.0);
    }
}
