package io.fashionstream.tools.demo;

/**
 * What the demo prints at the end; with {@code --json}, the last line of output.
 *
 * @param throughputPerSec inputs answered per second, first send to last answer
 * @param p50Ms            median end-to-end latency: input sent to result visible to a read_committed reader
 * @param duplicates       inputs answered more than once (must be 0)
 * @param engine           what ran the model: {@code onnxruntime (N intra-op thread(s))} or {@code dl4j}
 */
public record DemoSummary(long sent, long classified, long deadLettered, long duplicates, double accuracy,
                          double throughputPerSec, double p50Ms, double p99Ms, double meanBatchSize,
                          String model, String modelVersion, String engine, double cardAccuracy, int workers, int maxBatch,
                          long maxWaitMs, String guarantee, double seconds, String kafka) {
}
