package io.fashionstream.tools.bench;

import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.Precision;
import io.fashionstream.core.model.ModelFiles;
import java.nio.file.Files;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.worker.config.CliEnums;
import io.fashionstream.worker.config.WorkerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bench engine}: forward-pass throughput per model, engine, thread setting and batch size, with DL4J's per-layer profile. */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Forward-pass throughput per model, engine, thread setting and batch size.")
public final class EngineBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchReportOptions report;

    @Mixin
    EngineTiming timing;

    @Option(names = "--models", split = ",", defaultValue = "simple,complex1,complex2",
            description = "Models to measure (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(names = "--engines", split = ",", defaultValue = "onnxruntime,dl4j", converter = CliEnums.Engine.class,
            description = "Engines to compare (default: ${DEFAULT-VALUE})")
    List<EngineKind> engines;

    @Option(names = "--threads", split = ",", defaultValue = "1,2",
            description = "ONNX Runtime intra-op thread settings to compare (default: ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--precisions", split = ",", defaultValue = "fp32,int8",
            description = "Precisions of ONNX Runtime to compare side by side: fp32, int8 (models with an INT8 version)"
                    + " (default: ${DEFAULT-VALUE})")
    List<String> precisions;

    @Option(names = "--batches", split = ",", defaultValue = "1,8,32,128,512,1024",
            description = "Batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--profile-batch", defaultValue = "512",
            description = "Batch size of DL4J's per-layer profile (default: ${DEFAULT-VALUE})")
    int profileBatch;

    @Override
    public Integer call() throws Exception {
        validate();
        MachineInfo machine = BenchReportOptions.announceMachine(spec);
        List<BenchCommand.ModelResult> results = measure(spec.commandLine().getErr());
        report.write(new BenchCommand.Report(Instant.now().toString(), machine, results,
                EngineTargets.of(results, WorkerConfig.builder().build().effectiveIntraOpThreads()), null, null, null), spec);
        return 0;
    }

    private void validate() {
        timing.validate();
        if (profileBatch < 1 || profileBatch > WorkerConfig.MAX_BATCH_LIMIT) {
            throw new IllegalArgumentException("--profile-batch must be from 1 to " + WorkerConfig.MAX_BATCH_LIMIT
                    + ", not " + profileBatch);
        }
        if (batches.isEmpty() || batches.stream().anyMatch(b -> b < 1 || b > WorkerConfig.MAX_BATCH_LIMIT)) {
            throw new IllegalArgumentException("--batches must be sizes from 1 to " + WorkerConfig.MAX_BATCH_LIMIT
                    + ", not " + batches);
        }
        precisions.forEach(p -> {
            if (Precision.parse(p) == Precision.AUTO) {
                throw new IllegalArgumentException("--precisions compares fp32 and int8, not auto");
            }
        });
        if (threads.isEmpty() || threads.stream().anyMatch(t -> t < 1 || t > WorkerConfig.MAX_INTRA_OP_THREADS)) {
            throw new IllegalArgumentException("--threads must be thread counts from 1 to "
                    + WorkerConfig.MAX_INTRA_OP_THREADS + ", not " + threads);
        }
    }

    private List<BenchCommand.ModelResult> measure(PrintWriter err) throws Exception {
        List<BenchCommand.ModelResult> results = new ArrayList<>();
        for (String name : models) {
            for (EngineKind kind : engines) {
                for (int t : kind == EngineKind.ONNXRUNTIME ? threads : List.of(MachineInfo.openMpThreads())) {
                    for (String p : kind == EngineKind.ONNXRUNTIME ? precisions : List.of("fp32")) {
                        Precision precision = Precision.parse(p);
                        if (precision == Precision.INT8 && !Files.isRegularFile(ModelFiles.int8Path(
                                ModelFiles.resolve(name, report.modelsDir)))) {
                            err.printf("engine   %-9s has no INT8 version (it does not pay): int8 not measured%n", name);
                            continue;
                        }
                        results.add(measure(name, kind, t, precision, err));
                    }
                }
            }
        }
        return results;
    }

    /** One model on one engine, thread count and precision, at every batch size. */
    private BenchCommand.ModelResult measure(String name, EngineKind kind, int threadCount, Precision precision,
                                             PrintWriter err) throws Exception {
        String engineName = kind.cliName() + (precision == Precision.INT8 ? " int8" : "");
        try (ServingModel model = ServingModel.open(name, report.modelsDir, kind, threadCount, precision)) {
            EngineBench bench = timing.benchOf(model.engine());
            List<EngineBench.Point> points = new ArrayList<>();
            for (int batch : batches) {
                EngineBench.Point point = bench.run(batch);
                err.printf("engine   %-9s %-16s %d thread(s) batch %5d: %,10.0f images/s (%.2f ms per batch)%n",
                        name, engineName, threadCount, batch, point.imagesPerSec(), point.msPerBatch());
                points.add(point);
            }
            List<LayerProfile.Layer> layers = model.engine() instanceof Dl4jEngine dl4j
                    ? LayerProfile.of(dl4j, profileBatch) : List.of();
            return new BenchCommand.ModelResult(model.name(), model.version(), engineName, threadCount, points,
                    profileBatch, layers);
        }
    }
}
