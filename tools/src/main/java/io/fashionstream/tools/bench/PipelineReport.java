package io.fashionstream.tools.bench;

import java.util.Comparator;
import java.util.List;

/**
 * The pipeline part of a bench report, with the targets as ratios measured in the same run
 * (reported, never asserted).
 *
 * @param engine what ran the model, with its threads
 * @param format what the images were sent as: {@code raw} or {@code png}
 * @param kafka  "embedded" or the bootstrap servers used
 */
public record PipelineReport(String model, String engine, String format, int workers, String kafka, long floodImages,
                             double loadSeconds, List<Point> points, Targets targets) {

    /**
     * One setting: saturated, on a pass-through engine (the Kafka ceiling), then at half the
     * saturated rate.
     *
     * @param decodeThreads       helpers per worker thread decoding ahead (0: on the worker thread)
     * @param commitIntervalMs    how long a transaction gathers batches before it commits (0: one per batch)
     * @param engineImagesPerSec  forward passes alone at {@code maxBatch}, same model, same machine
     * @param ceiling             the same pool and setting with a pass-through engine: what Kafka and the
     *                            worker's own plumbing allow
     * @param cpuBoundOverCeiling the most end to end / ceiling this machine's cores allow: each image
     *                            costs the CPU the ceiling run spent per image plus the engine's own
     * @param maxLatencyMs        the workers' latency objective; 0: none
     * @param p99BoundMs          max wait plus commit interval plus twice one batch's inference time; where
     *                            the interval is 0, max wait plus two saturated batch cycles (pass and transaction)
     * @param liveSaturated       under a latency objective: the pool offered the saturated rate by the
     *                            bench's sender, which shares the cores (null without an objective)
     * @param loads               under a latency objective, the runs at each share of {@code liveSaturated}'s rate
     * @param liveSaturatedAfter  the same as {@code liveSaturated}, measured again after the shares: how far
     *                            the machine's capacity moved while they ran (null without an objective)
     */
    public record Point(int maxBatch, long maxWaitMs, int decodeThreads, long commitIntervalMs, long maxLatencyMs,
                        double engineImagesPerSec,
                        double engineMsPerBatch, PipelineBench.Measurement saturated, PipelineBench.Measurement ceiling,
                        PipelineBench.Measurement halfLoad, double endToEndOverEngine, double endToEndOverCeiling,
                        double cpuBoundOverCeiling, double p99BoundMs, double halfLoadP99OverBound,
                        PipelineBench.Measurement liveSaturated, List<Load> loads,
                        PipelineBench.Measurement liveSaturatedAfter) {
    }

    /** A run at {@code share} of the live saturated rate under a latency objective, and whether its p99 kept it. */
    public record Load(double share, PipelineBench.Measurement measured, boolean withinObjective) {
    }

    /**
     * The targets: the fastest setting end to end (at least 10,000 images/s, at least 0.8 of its
     * Kafka ceiling); one record per pass (at least 500 images/s); micro-batching's gain over it.
     *
     * @param bestCpuBoundOverCeiling what the cores allow end to end / ceiling at the fastest setting
     */
    public record Targets(double bestImagesPerSec, double bestEndToEndOverCeiling, double bestCpuBoundOverCeiling,
                          double bestEndToEndOverEngine,
                          double singleRecordImagesPerSec, double microBatchingGain, long pointsWithinP99Bound,
                          long points) {
    }

    /** The target: at half load, p99 within twice the bound. */
    static final double MAX_P99_OVER_BOUND = 2;

    static PipelineReport of(String model, String engine, String format, int workers, String kafka, long floodImages,
                             double loadSeconds, List<Point> points) {
        Point best = points.stream().max(Comparator.comparingDouble(p -> p.saturated().imagesPerSec())).orElseThrow();
        double single = points.stream().filter(p -> p.maxBatch() == 1).mapToDouble(p -> p.saturated().imagesPerSec())
                .max().orElse(Double.NaN);
        long within = points.stream().filter(p -> p.halfLoadP99OverBound() <= MAX_P99_OVER_BOUND).count();
        return new PipelineReport(model, engine, format, workers, kafka, floodImages, loadSeconds, points,
                new Targets(best.saturated().imagesPerSec(), best.endToEndOverCeiling(),
                        best.cpuBoundOverCeiling(), best.endToEndOverEngine(),
                        single, best.saturated().imagesPerSec() / single, within, points.size()));
    }
}
