package io.fashionstream.worker.bench;

import io.fashionstream.core.Json;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.inference.FashionClassifier;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelFiles.LoadedModel;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.demo.EmbeddedKafka;
import io.fashionstream.worker.produce.TestSplitSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code fashion-worker bench}: how fast the workers are on this machine, and why. The engine
 * part measures each model's forward pass at a range of batch sizes; the pipeline part runs the
 * worker pool end to end through a real broker (embedded unless {@code --bootstrap-servers}) for
 * a list of batching settings, saturated and at half the saturated rate, and sets each against
 * the engine. Writes {@code bench.json}, {@code bench.md} and {@code pipeline.png} to {@code --out}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure forward-pass throughput per model and batch size, and the pipeline end to end through Kafka.")
public final class BenchCommand implements Callable<Integer> {
    static final Set<String> PARTS = Set.of("engine", "pipeline", "failover");
    /** Below this share the JIT compiler counts as settled (it never quite stops). */
    static final double SETTLED_JIT_CORES = 0.15;

    @Spec
    CommandSpec spec;

    @Option(names = "--parts", split = ",", defaultValue = "engine,pipeline",
            description = "What to measure: engine, pipeline, failover (worker and broker crashes; about 4 minutes per"
                    + " scenario), in any combination (default: ${DEFAULT-VALUE})")
    List<String> parts;

    @Option(names = "--models", split = ",", defaultValue = "simple,complex1,complex2",
            description = "Engine: models to measure (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(names = "--batches", split = ",", defaultValue = "1,8,32,128,512,1024",
            description = "Engine: batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--seconds", defaultValue = "3", description = "Engine: measuring time per point (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup-seconds", defaultValue = "1", description = "Engine: warm-up per point (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--profile-batch", defaultValue = "512",
            description = "Engine: batch size of the per-layer profile (default: ${DEFAULT-VALUE})")
    int profileBatch;

    @Option(names = "--model", defaultValue = "simple", description = "Pipeline: the model the workers serve (default: ${DEFAULT-VALUE})")
    String pipelineModel;

    @Option(names = "--settings", split = ",", defaultValue = "1:0,8:10,32:10,64:2,64:10:0,64:10,64:50,128:10,256:10:0,256:10",
            description = "Pipeline: max-batch:max-wait-ms[:decode-threads] settings, decode threads defaulting to the"
                    + " worker's default (default: ${DEFAULT-VALUE})")
    List<String> settings;

    @Option(names = "--settle-seconds", defaultValue = "120",
            description = "Pipeline: warm-up floods until the JIT compiler uses under 0.15 cores, for at most this long"
                    + " (default: ${DEFAULT-VALUE})")
    double settleSeconds;

    @Option(names = "--images", defaultValue = "3000", description = "Pipeline: images per saturated run (default: ${DEFAULT-VALUE})")
    long floodImages;

    @Option(names = "--load-seconds", defaultValue = "10",
            description = "Pipeline: length of each half-load run (default: ${DEFAULT-VALUE})")
    double loadSeconds;

    @Option(names = "--workers", defaultValue = "1", description = "Pipeline: worker threads (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--failover-scenarios", split = ",", defaultValue = "consumer,classic-static,classic-dynamic",
            description = "Failover: group protocol and membership settings to compare (default: ${DEFAULT-VALUE})")
    List<String> failoverScenarios;

    @Option(names = "--failover-kills", defaultValue = "2",
            description = "Failover: worker SIGKILLs per scenario, each followed by a restart (default: ${DEFAULT-VALUE})")
    int failoverKills;

    @Option(names = "--failover-rate", defaultValue = "200",
            description = "Failover: images sent per second throughout (default: ${DEFAULT-VALUE})")
    double failoverRate;

    @Option(names = "--failover-observe-seconds", defaultValue = "50",
            description = "Failover: how long answers are watched after each crash; above the broker's 45 s group session"
                    + " timeout to show what waits for it (default: ${DEFAULT-VALUE})")
    double failoverObserveSeconds;

    @Option(names = "--bootstrap-servers", description = "Pipeline: an existing cluster (fresh topics, deleted after) instead of an embedded broker")
    String bootstrapServers;

    @Option(names = "--models-dir", defaultValue = "models", description = "Where model names are looked up (default: ${DEFAULT-VALUE})")
    Path modelsDir;

    @Option(names = "--out", defaultValue = "bench-results", description = "Report directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--json", description = "Print the report as one JSON object on the last line")
    boolean json;

    /** One model's engine points and where a pass at {@code profileBatch} spends its time. */
    public record ModelResult(String model, String version, List<EngineBench.Point> points, int profileBatch,
                              List<LayerProfile.Layer> layers) {
    }

    /** The whole report; a part not run is null. */
    public record Report(String createdAt, MachineInfo machine, List<ModelResult> engine, PipelineReport pipeline,
                         List<FailoverBench.Result> failover) {
    }

    @Override
    public Integer call() throws Exception {
        List<PipelineBench.Setting> pipelineSettings = validate();
        List<FailoverBench.Scenario> scenarios = failoverScenarios.stream().map(FailoverBench.Scenario::parse).toList();
        PrintWriter err = spec.commandLine().getErr();
        MachineInfo machine = MachineInfo.current();
        err.println("machine: " + machine.describe());
        List<ModelResult> engine = parts.contains("engine") ? engine(err) : null;
        PipelineReport pipeline = parts.contains("pipeline") ? pipeline(pipelineSettings, err) : null;
        List<FailoverBench.Result> failover = parts.contains("failover") ? failover(scenarios, err) : null;
        Report report = new Report(Instant.now().toString(), machine, engine, pipeline, failover);

        Files.createDirectories(out);
        String markdown = BenchMarkdown.of(report);
        Files.writeString(out.resolve("bench.json"), Json.MAPPER.writeValueAsString(report) + "\n");
        Files.writeString(out.resolve("bench.md"), markdown);
        if (pipeline != null) {
            BenchCharts.write(pipeline, out.resolve("pipeline.png"));
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(markdown);
        stdout.printf("written to %s: bench.json, bench.md%s%n", out, pipeline != null ? ", pipeline.png" : "");
        if (json) {
            stdout.println(Json.line(report));
        }
        stdout.flush();
        return 0;
    }

    private List<PipelineBench.Setting> validate() {
        if (parts.isEmpty() || !PARTS.containsAll(parts)) {
            throw new IllegalArgumentException("--parts must be engine, pipeline or failover, not " + parts);
        }
        if (failoverKills < 0 || failoverRate <= 0 || failoverObserveSeconds <= 0) {
            throw new IllegalArgumentException("--failover-kills must not be negative, --failover-rate and"
                    + " --failover-observe-seconds must be positive");
        }
        if (seconds <= 0 || warmupSeconds < 0 || loadSeconds <= 0 || settleSeconds < 0) {
            throw new IllegalArgumentException(
                    "--seconds and --load-seconds must be positive, --warmup-seconds and --settle-seconds not negative");
        }
        if (profileBatch < 1 || profileBatch > 8192) {
            throw new IllegalArgumentException("--profile-batch must be from 1 to 8192, not " + profileBatch);
        }
        if (batches.isEmpty() || batches.stream().anyMatch(b -> b < 1 || b > 8192)) {
            throw new IllegalArgumentException("--batches must be sizes from 1 to 8192, not " + batches);
        }
        if (floodImages < 1 || workers < 1) {
            throw new IllegalArgumentException("--images and --workers must be at least 1");
        }
        List<PipelineBench.Setting> parsed = new ArrayList<>();
        for (String s : settings) {
            try {
                parsed.add(PipelineBench.Setting.parse(s));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--settings: " + e.getMessage());
            }
        }
        return parsed;
    }

    private List<ModelResult> engine(PrintWriter err) throws Exception {
        List<ModelResult> results = new ArrayList<>();
        for (String name : models) {
            LoadedModel model = load(name);
            try (FashionClassifier classifier = FashionClassifier.forInference(model.network())) {
                EngineBench bench = engineBench(classifier);
                List<EngineBench.Point> points = new ArrayList<>();
                for (int batch : batches) {
                    EngineBench.Point p = bench.run(batch);
                    err.printf("engine   %-9s batch %5d: %,10.0f images/s (%.2f ms per batch)%n", name, batch,
                            p.imagesPerSec(), p.msPerBatch());
                    points.add(p);
                }
                List<LayerProfile.Layer> layers = LayerProfile.of(classifier, profileBatch);
                results.add(new ModelResult(model.name(), model.version(), points, profileBatch, layers));
            }
        }
        return results;
    }

    private PipelineReport pipeline(List<PipelineBench.Setting> pipelineSettings, PrintWriter err) throws Exception {
        LoadedModel model = load(pipelineModel);
        TestSplitSource images = new TestSplitSource(FashionMnist.loadShippedTestSplit());
        // Encode the PNGs now: encoded while sending, they would make the sender the bottleneck being measured.
        for (int i = 0; i < Math.min(floodImages, images.size()); i++) {
            images.item(i);
        }
        EmbeddedKafka embedded = null;
        try {
            String servers = bootstrapServers;
            if (servers == null) {
                err.println("starting an embedded Kafka broker (KRaft, single node)...");
                embedded = EmbeddedKafka.start();
                servers = embedded.bootstrapServers();
            }
            WorkerConfig base = WorkerConfig.builder().bootstrapServers(servers).model(pipelineModel)
                    .modelsDir(modelsDir).workers(workers).transactionalIdPrefix("fashion-bench").build();
            PipelineBench bench = new PipelineBench(base, model, images);
            List<PipelineReport.Point> points = new ArrayList<>();
            try (FashionClassifier classifier = FashionClassifier.forInference(model.network())) {
                EngineBench engine = engineBench(classifier);
                settle(bench, err);
                for (PipelineBench.Setting setting : pipelineSettings) {
                    points.add(point(bench, engine, setting, err));
                }
            }
            return PipelineReport.of(model.name(), workers, bootstrapServers == null ? "embedded" : bootstrapServers,
                    floodImages, loadSeconds, points);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private List<FailoverBench.Result> failover(List<FailoverBench.Scenario> scenarios, PrintWriter err) throws Exception {
        FailoverBench bench = new FailoverBench(new TestSplitSource(FashionMnist.loadShippedTestSplit()), pipelineModel,
                modelsDir, failoverKills, failoverRate, Duration.ofMillis((long) (failoverObserveSeconds * 1000)),
                out.resolve("failover-logs"), err);
        List<FailoverBench.Result> results = new ArrayList<>();
        for (FailoverBench.Scenario scenario : scenarios) {
            err.printf("failover %s: a broker and two worker processes, %.0f images/s...%n", scenario.cliName, failoverRate);
            results.add(bench.run(scenario));
        }
        return results;
    }

    /**
     * Unmeasured floods until the JIT compiler has settled: compiling the broker's and the
     * clients' code takes minutes, and a setting measured meanwhile would share the cores with it.
     */
    private void settle(PipelineBench bench, PrintWriter err) throws Exception {
        long deadline = System.nanoTime() + (long) (settleSeconds * 1e9);
        do {
            PipelineBench.Measurement m = bench.run(PipelineBench.Setting.parse("64:10"), Math.min(floodImages, 3000), 0);
            double jit = m.cpuCores().getOrDefault(ThreadCpu.JIT_COMPILER, 0.0);
            err.printf("pipeline warm-up (not measured): %,.0f images/s, JIT compiler %.2f cores%n", m.imagesPerSec(), jit);
            if (jit < SETTLED_JIT_CORES) {
                return;
            }
        } while (System.nanoTime() < deadline);
        err.println("pipeline warm-up: the JIT compiler had not settled within --settle-seconds; measuring anyway");
    }

    private PipelineReport.Point point(PipelineBench bench, EngineBench engine, PipelineBench.Setting setting,
                                       PrintWriter err) throws Exception {
        EngineBench.Point alone = engine.run(setting.maxBatch());
        PipelineBench.Measurement saturated = bench.run(setting, floodImages, 0);
        double rate = saturated.imagesPerSec() / 2;
        long count = Math.max(20, (long) (rate * loadSeconds));
        PipelineBench.Measurement half = bench.run(setting, count, rate);
        double bound = setting.maxWaitMs() + 2 * alone.msPerBatch();
        err.printf("pipeline batch %4d wait %3d ms decode threads %d: saturated %,8.0f images/s (engine %,8.0f, %3.0f%%),"
                        + " mean batch %5.1f; at %,.0f/s p50 %,.0f ms p99 %,.0f ms (bound %,.0f ms)%n", setting.maxBatch(),
                setting.maxWaitMs(), setting.decodeThreads(), saturated.imagesPerSec(), alone.imagesPerSec(),
                100 * saturated.imagesPerSec() / alone.imagesPerSec(), saturated.meanBatchSize(), rate, half.p50Ms(),
                half.p99Ms(), bound);
        return new PipelineReport.Point(setting.maxBatch(), setting.maxWaitMs(), setting.decodeThreads(), alone.imagesPerSec(), alone.msPerBatch(), saturated, half,
                saturated.imagesPerSec() / alone.imagesPerSec(), bound, half.p99Ms() / bound);
    }

    private EngineBench engineBench(FashionClassifier classifier) {
        return new EngineBench(classifier, Duration.ofMillis((long) (warmupSeconds * 1000)),
                Duration.ofMillis((long) (seconds * 1000)));
    }

    private LoadedModel load(String name) throws Exception {
        return ModelFiles.load(ModelFiles.resolve(name, modelsDir));
    }
}
