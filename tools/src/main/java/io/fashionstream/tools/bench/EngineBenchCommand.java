package io.fashionstream.tools.bench;

import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.inference.EngineKind;
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
                    try (ServingModel model = ServingModel.open(name, report.modelsDir, kind, t)) {
                        EngineBench bench = timing.benchOf(model.engine());
                        List<EngineBench.Point> points = new ArrayList<>();
                        for (int batch : batches) {
                            EngineBench.Point p = bench.run(batch);
                            err.printf("engine   %-9s %-11s %d thread(s) batch %5d: %,10.0f images/s (%.2f ms per batch)%n",
                                    name, kind.cliName(), t, batch, p.imagesPerSec(), p.msPerBatch());
                            points.add(p);
                        }
                        List<LayerProfile.Layer> layers = model.engine() instanceof Dl4jEngine dl4j
                                ? LayerProfile.of(dl4j, profileBatch) : List.of();
                        results.add(new BenchCommand.ModelResult(model.name(), model.version(), kind.cliName(), t, points,
                                profileBatch, layers));
                    }
                }
            }
        }
        return results;
    }
}
