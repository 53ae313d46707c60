package io.fashionstream.worker.config;

import io.fashionstream.core.inference.EngineKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A configuration is validated when built, against its named bounds, whichever way it is built. */
class WorkerConfigTest {
    @Test
    void theDefaultsAreValidAndParseFromTheirCommandLineNames() {
        WorkerConfig c = WorkerConfig.builder().build();
        assertEquals(EngineKind.ONNXRUNTIME, c.engine());
        assertEquals(Guarantee.EXACTLY_ONCE, c.guarantee());
        assertEquals(GroupProtocol.AUTO, c.groupProtocol());
        assertEquals(WorkerConfig.DEFAULT_ENGINE_NAME, c.engine().cliName());
    }

    @Test
    void eachBoundIsCheckedAtItsNamedLimitAndTheMessageNamesTheSetting() {
        WorkerConfig.Builder b = WorkerConfig.builder();
        assertEquals(WorkerConfig.MAX_WORKERS, b.workers(WorkerConfig.MAX_WORKERS).build().workers());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.builder().workers(WorkerConfig.MAX_WORKERS + 1).build());
        assertEquals("workers must be between 1 and 256, not 257", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.builder().decodeThreads(WorkerConfig.MAX_DECODE_THREADS + 1).build());
        assertThrows(IllegalArgumentException.class,
                () -> WorkerConfig.builder().maxWait(Duration.ofMillis(WorkerConfig.MAX_WAIT_LIMIT_MS + 1)).build());
        e = assertThrows(IllegalArgumentException.class, () -> WorkerConfig.builder()
                .stallTimeout(Duration.ofMillis(WorkerConfig.MIN_STALL_TIMEOUT_MS - 1)).build());
        assertEquals("stall-timeout-ms must be at least 1000, not 999", e.getMessage());
    }

    @Test
    void theRecordsOwnConstructorValidatesToo() {
        WorkerConfig good = WorkerConfig.builder().build();
        assertThrows(IllegalArgumentException.class, () -> new WorkerConfig(good.bootstrapServers(), good.groupId(),
                good.inputTopic(), good.inputTopic(), good.deadLetterTopic(), good.reviewTopic(), good.reviewThreshold(),
                good.topK(), good.model(), good.engine(), good.precision(),
                good.intraOpThreads(), good.modelsDir(), good.workers(), good.maxBatch(), good.maxWait(),
                good.commitInterval(), good.maxLatency(), good.decodeThreads(), good.decodeTimeout(), good.guarantee(), good.groupProtocol(),
                good.staticMembership(), good.transactionalIdPrefix(), good.imageLimits(), good.fetch(), good.rollout(), good.startupTimeout(),
                good.stallTimeout(), good.resultHeaders(), good.kafkaProperties()), "results topic = input topic");
    }
}
