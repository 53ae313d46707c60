package io.fashionstream.worker.bench;

import java.util.Comparator;
import java.util.List;

/**
 * The pipeline part of a bench report, with the targets as ratios measured in the same
 * run (reported, never asserted).
 *
 * @param kafka "embedded" or the bootstrap servers used
 */
public record PipelineReport(String model, int workers, String kafka, long floodImages, double loadSeconds,
                             List<Point> points, Targets targets) {

    /**
     * One batching setting: saturated, then at half the saturated rate.
     *
     * @param decodeThreads      helpers per worker thread decoding ahead (0: on the worker thread)
     * @param engineImagesPerSec forward passes alone at {@code maxBatch}, same model, same machine
     * @param p99BoundMs         max wait plus twice one batch's inference time at {@code maxBatch}
     */
    public record Point(int maxBatch, long maxWaitMs, int decodeThreads, double engineImagesPerSec, double engineMsPerBatch,
                        PipelineBench.Measurement saturated, PipelineBench.Measurement halfLoad,
                        double endToEndOverEngine, double p99BoundMs, double halfLoadP99OverBound) {
    }

    /**
     * The targets: saturated end-to-end at least 0.9 of the engine at the same batch size;
     * batching at least 8x one record per pass; p99 at half load within its bound.
     */
    public record Targets(double bestEndToEndOverEngine, double microBatchingGain, long pointsWithinP99Bound,
                          long points) {
    }

    static PipelineReport of(String model, int workers, String kafka, long floodImages, double loadSeconds,
                             List<Point> points) {
        Point best = points.stream().max(Comparator.comparingDouble(p -> p.saturated().imagesPerSec())).orElseThrow();
        double single = points.stream().filter(p -> p.maxBatch() == 1).mapToDouble(p -> p.saturated().imagesPerSec())
                .findFirst().orElse(Double.NaN);
        long within = points.stream().filter(p -> p.halfLoadP99OverBound() <= 1).count();
        return new PipelineReport(model, workers, kafka, floodImages, loadSeconds, points,
                new Targets(best.endToEndOverEngine(), best.saturated().imagesPerSec() / single, within, points.size()));
    }
}
