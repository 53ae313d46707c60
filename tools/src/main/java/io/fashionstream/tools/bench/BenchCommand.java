package io.fashionstream.tools.bench;

import picocli.CommandLine.Command;

import java.util.List;

/**
 * {@code bench}: how fast the workers are on this machine, and why, one bench per subcommand, each
 * with its own options: {@code engine} (forward passes alone), {@code pipeline} (the pool end to end
 * through Kafka), {@code failover} (crashes under load) and {@code photos} (accuracy and decoding of
 * catalog photos). Each writes {@code bench.json} and {@code bench.md} (the pipeline also
 * {@code pipeline.png}) to {@code --out}, after printing which machine the figures come from.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the forward pass, the pipeline end to end through Kafka, failover or catalog photos.",
        subcommands = {EngineBenchCommand.class, PipelineBenchCommand.class, FailoverBenchCommand.class, RolloutBenchCommand.class,
                PhotoBenchCommand.class, DriftDrillCommand.class, FetchBenchCommand.class})
public final class BenchCommand {
    /**
     * One model on one engine: its points and, for DL4J, where a pass at {@code profileBatch}
     * spends its time (empty for ONNX Runtime).
     *
     * @param threads ONNX Runtime's intra-op threads, or DL4J's OpenMP threads
     */
    public record ModelResult(String model, String version, String engine, int threads, List<EngineBench.Point> points,
                              int profileBatch, List<LayerProfile.Layer> layers) {
    }

    /** The whole report; a part not run is null. */
    public record Report(String createdAt, MachineInfo machine, List<ModelResult> engine, EngineTargets engineTargets,
                         PipelineReport pipeline, List<FailoverBench.Result> failover, PhotoReport photos) {
    }

    /** The photos part: which images (test or validation), accuracy per variation, then decoding speed by format and size. */
    public record PhotoReport(String split, long seed, List<PhotoBench.Accuracy> accuracy,
                              List<PhotoBench.DecodeSpeed> decoding) {
    }
}
