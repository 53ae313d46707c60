package io.fashionstream.tools.bench;

import java.util.List;
import java.util.Optional;

/**
 * The engine targets as ratios from one run (reported, never asserted): ONNX Runtime against the
 * DL4J path on {@code simple}, at least 5x at batch 512 and at least 10x at batch 1 and 8. ONNX
 * Runtime counts with the threads a single worker thread gets by default.
 *
 * @param onnxThreads the intra-op threads of the ONNX Runtime figures used
 */
public record EngineTargets(String model, int onnxThreads, double speedupAt1, double speedupAt8, double speedupAt512) {
    static final String MODEL = "simple";

    static EngineTargets of(List<BenchCommand.ModelResult> results, int defaultThreads) {
        Optional<BenchCommand.ModelResult> dl4j = results.stream()
                .filter(r -> r.model().equals(MODEL) && r.engine().equals("dl4j")).findFirst();
        List<BenchCommand.ModelResult> onnx = results.stream()
                .filter(r -> r.model().equals(MODEL) && r.engine().equals("onnxruntime")).toList();
        if (dl4j.isEmpty() || onnx.isEmpty()) {
            return null;
        }
        BenchCommand.ModelResult ort = onnx.stream().filter(r -> r.threads() == defaultThreads).findFirst()
                .orElse(onnx.get(onnx.size() - 1));
        return new EngineTargets(MODEL, ort.threads(), ratio(ort, dl4j.get(), 1), ratio(ort, dl4j.get(), 8),
                ratio(ort, dl4j.get(), 512));
    }

    private static double ratio(BenchCommand.ModelResult a, BenchCommand.ModelResult b, int batch) {
        return imagesPerSec(a, batch) / imagesPerSec(b, batch);
    }

    private static double imagesPerSec(BenchCommand.ModelResult r, int batch) {
        return r.points().stream().filter(p -> p.batchSize() == batch).mapToDouble(EngineBench.Point::imagesPerSec)
                .findFirst().orElse(Double.NaN);
    }
}
