package io.fashionstream.worker.kafka;

import io.fashionstream.worker.config.WorkerConfig;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How a worker loop paces itself: its micro-batch triggers, its commit interval, the backoff
 * between retries and the clocks it reads (tests pass their own, so nothing has to sleep).
 *
 * @param maxBatch       the most inputs in one micro-batch
 * @param maxWait        how long the first input of a batch may wait for more
 * @param commitInterval how long a unit gathers batches before it commits
 * @param maxLatency     an answer's latency objective; zero: none
 * @param firstBackoff   the wait before the first retry, doubling up to {@code backoffCap}
 */
public record LoopSettings(int maxBatch, Duration maxWait, Duration commitInterval, Duration maxLatency,
                           Duration firstBackoff,
                           Duration backoffCap, LongSupplier nanoClock, LongSupplier wallClockMillis) {
    /** The settings of {@code config}, on the system clocks. */
    public static LoopSettings of(WorkerConfig config) {
        return new LoopSettings(config.maxBatch(), config.maxWait(), config.commitInterval(), config.maxLatency(), Backoff.FIRST, Backoff.CAP,
                System::nanoTime, System::currentTimeMillis);
    }
}
