package io.fashionstream.worker.kafka;

import io.fashionstream.worker.config.WorkerConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordSizeLimitsTest {
    private final WorkerConfig config = WorkerConfig.builder().inputTopic("in").resultsTopic("out").deadLetterTopic("dlq").build();

    @Test
    void theProducerCanSendTheLargestRecordEitherOutputTopicTakes() {
        ClusterFacts facts = new ClusterFacts(6, Map.of("in", 16 << 20, "out", 2 << 20, "dlq", 1 << 20), true);
        RecordSizeLimits limits = RecordSizeLimits.of(config, facts);
        assertEquals((2 << 20) + RecordSizeLimits.REQUEST_MARGIN, limits.maxRequestBytes());
        assertEquals(1 << 20, limits.deadLetterBytes());
        String warning = limits.deadLetterWarning(config).orElseThrow();
        assertTrue(warning.contains("'dlq' takes records up to 1.0 MiB") && warning.contains("'in' accepts up to 16.0 MiB"),
                warning);
    }

    @Test
    void producerBatchesNeverExceedWhatAnOutputTopicTakes() {
        ClusterFacts small = new ClusterFacts(6, Map.of("out", 4096), true);
        assertEquals(4096 - RecordSizeLimits.BATCH_MARGIN, RecordSizeLimits.of(config, small).batchBytes());
        ClusterFacts large = new ClusterFacts(6, Map.of(), true);
        assertEquals(RecordSizeLimits.DEFAULT_BATCH_BYTES, RecordSizeLimits.of(config, large).batchBytes());
    }

    @Test
    void aDeadLetterTopicAsLargeAsTheInputNeedsNoWarning() {
        ClusterFacts facts = new ClusterFacts(6, Map.of("in", 1 << 20, "out", 1 << 20, "dlq", 4 << 20), true);
        assertTrue(RecordSizeLimits.of(config, facts).deadLetterWarning(config).isEmpty());
    }

    @Test
    void aMaxRequestSizeTheUserSetIsKeptAndBoundsDeadLetters() {
        WorkerConfig custom = config.toBuilder().kafkaProperties(Map.of("max.request.size", "500000")).build();
        ClusterFacts facts = new ClusterFacts(6, Map.of(), true);
        RecordSizeLimits limits = RecordSizeLimits.of(custom, facts);
        assertEquals(500_000, limits.maxRequestBytes());
        assertEquals(500_000, limits.deadLetterBytes(), "the smaller of the producer's and Kafka's default topic limit");
    }
}
