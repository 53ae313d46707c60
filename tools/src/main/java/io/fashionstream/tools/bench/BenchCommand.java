package io.fashionstream.tools.bench;

import io.fashionstream.core.Json;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.photo.PhotoVariation;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.tools.bench.CatalogPhotoSource;
import io.fashionstream.worker.produce.ImageSource;
import io.fashionstream.worker.produce.TestSplitSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    /** The photo generator's seed: the same photos every run. */
    static final long PHOTO_SEED = 2017;
    /** Distinct photos rendered for a pipeline run on JPEG photos; a longer run repeats them. */
    static final int DISTINCT_PHOTOS = 1000;
    static final Set<String> PARTS = Set.of("engine", "pipeline", "failover", "photos");
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

    @Option(names = "--engines", split = ",", defaultValue = "onnxruntime,dl4j",
            description = "Engine: engines to compare (default: ${DEFAULT-VALUE})")
    List<String> engines;

    @Option(names = "--threads", split = ",", defaultValue = "1,2",
            description = "Engine: ONNX Runtime intra-op thread settings to compare (default: ${DEFAULT-VALUE})")
    List<Integer> threads;

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

    @Option(names = "--engine", defaultValue = "onnxruntime",
            description = "Pipeline and failover: the engine the workers run (default: ${DEFAULT-VALUE})")
    String pipelineEngine;

    @Option(names = "--format", defaultValue = "raw",
            description = "Pipeline: what the images are sent as, raw (784 bytes), png (28x28) or jpeg (600x800"
                    + " catalog photos) (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--settings", split = ",",
            defaultValue = "1:0:0:0,1:0,8:10,64:10,64:10:1:0,256:10,256:10:0,1024:10",
            description = "Pipeline: max-batch:max-wait-ms[:decode-threads[:commit-interval-ms]] settings, the others"
                    + " defaulting to the worker's defaults (default: ${DEFAULT-VALUE})")
    List<String> settings;

    @Option(names = "--settle-seconds", defaultValue = "120",
            description = "Pipeline: warm-up floods until the JIT compiler uses under 0.15 cores, for at most this long"
                    + " (default: ${DEFAULT-VALUE})")
    double settleSeconds;

    @Option(names = "--images", defaultValue = "30000",
            description = "Pipeline: images of each saturated run's backlog (default: ${DEFAULT-VALUE})")
    long floodImages;

    @Option(names = "--load-seconds", defaultValue = "10",
            description = "Pipeline: length of each half-load run (default: ${DEFAULT-VALUE})")
    double loadSeconds;

    @Option(names = "--workers", defaultValue = "1", description = "Pipeline: worker threads (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--intra-op-threads", defaultValue = "0",
            description = "Pipeline: ONNX Runtime threads per forward pass, as on run; 0: the worker's default")
    int intraOpThreads;

    @Option(names = "--photo-images", defaultValue = "1000",
            description = "Photos: images rendered per photo variation (default: ${DEFAULT-VALUE})")
    int photoImages;

    @Option(names = "--photo-split", defaultValue = "test",
            description = "Photos: test (the shipped test split) or validation (the training images the models' cards"
                    + " held out, to tune preprocessing on other images than those the figures come from; needs the"
                    + " training IDX files) (default: ${DEFAULT-VALUE})")
    String photoSplit;

    @Option(names = "--data", description = "Photos, validation split: directory with the Fashion-MNIST IDX files"
            + " (default: $FASHION_MNIST_DIR, then " + FashionMnist.DEBIAN_DIR + ")")
    Path data;

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

    @Option(names = "--models-dir", description = "Where model names are looked up (default: the installation's models/ folder)")
    Path modelsDir = WorkerConfig.DEFAULT_MODELS_DIR;

    @Option(names = "--out", defaultValue = "bench-results", description = "Report directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--json", description = "Print the report as one JSON object on the last line")
    boolean json;

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
        PhotoReport photos = parts.contains("photos") ? photos(err) : null;
        Report report = new Report(Instant.now().toString(), machine, engine,
                engine == null ? null : EngineTargets.of(engine, WorkerConfig.builder().build().effectiveIntraOpThreads()),
                pipeline, failover, photos);

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
            throw new IllegalArgumentException("--parts must be engine, pipeline, failover or photos, not " + parts);
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
        engines.forEach(EngineKind::parse);
        EngineKind.parse(pipelineEngine);
        if (threads.isEmpty() || threads.stream().anyMatch(t -> t < 1 || t > 256)) {
            throw new IllegalArgumentException("--threads must be thread counts from 1 to 256, not " + threads);
        }
        if (!format.equals("raw") && !format.equals("png") && !format.equals("jpeg")) {
            throw new IllegalArgumentException("--format must be raw, png or jpeg, not '" + format + "'");
        }
        if (!photoSplit.equals("test") && !photoSplit.equals("validation")) {
            throw new IllegalArgumentException("--photo-split must be test or validation, not '" + photoSplit + "'");
        }
        if (floodImages < 1 || workers < 1 || photoImages < 1) {
            throw new IllegalArgumentException("--images, --photo-images and --workers must be at least 1");
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
            for (String engineName : engines) {
                EngineKind kind = EngineKind.parse(engineName);
                for (int t : kind == EngineKind.ONNXRUNTIME ? threads : List.of(MachineInfo.openMpThreads())) {
                    try (ServingModel model = ServingModel.open(name, modelsDir, kind, t)) {
                        EngineBench bench = engineBench(model.engine());
                        List<EngineBench.Point> points = new ArrayList<>();
                        for (int batch : batches) {
                            EngineBench.Point p = bench.run(batch);
                            err.printf("engine   %-9s %-11s %d thread(s) batch %5d: %,10.0f images/s (%.2f ms per batch)%n",
                                    name, kind.cliName(), t, batch, p.imagesPerSec(), p.msPerBatch());
                            points.add(p);
                        }
                        List<LayerProfile.Layer> layers = model.engine() instanceof Dl4jEngine dl4j
                                ? LayerProfile.of(dl4j, profileBatch) : List.of();
                        results.add(new ModelResult(model.name(), model.version(), kind.cliName(), t, points,
                                profileBatch, layers));
                    }
                }
            }
        }
        return results;
    }

    private PipelineReport pipeline(List<PipelineBench.Setting> pipelineSettings, PrintWriter err) throws Exception {
        ImageSource images = format.equals("jpeg")
                ? new CatalogPhotoSource(FashionMnist.loadShippedTestSplit(), DISTINCT_PHOTOS)
                : new TestSplitSource(FashionMnist.loadShippedTestSplit(), format.equals("raw"));
        // Encode any PNGs now: encoded while sending, they would make the sender the bottleneck being measured.
        for (int i = 0; i < Math.min(floodImages, images.size()); i++) {
            images.item(i);
        }
        EmbeddedKafka embedded = null;
        WorkerConfig base = WorkerConfig.builder().model(pipelineModel).modelsDir(modelsDir).workers(workers).intraOpThreads(intraOpThreads)
                .engine(EngineKind.parse(pipelineEngine)).transactionalIdPrefix("fashion-bench").build();
        try (ServingModel model = base.openModel();
             ServingModel passThrough = new ServingModel(model.name(), model.version(), model.card(), new PassThroughEngine())) {
            String servers = bootstrapServers;
            if (servers == null) {
                err.println("starting an embedded Kafka broker (KRaft, single node)...");
                embedded = EmbeddedKafka.start();
                servers = embedded.bootstrapServers();
            }
            base = base.toBuilder().bootstrapServers(servers).build();
            PipelineBench bench = new PipelineBench(base, model, images);
            PipelineBench ceiling = new PipelineBench(base, passThrough, images);
            EngineBench engine = engineBench(model.engine());
            settle(bench, err);
            List<PipelineReport.Point> points = new ArrayList<>();
            for (PipelineBench.Setting setting : pipelineSettings) {
                points.add(point(bench, ceiling, engine, setting, err));
            }
            return PipelineReport.of(model.name(), base.describeEngine(), format, workers,
                    bootstrapServers == null ? "embedded" : bootstrapServers, floodImages, loadSeconds, points);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private PhotoReport photos(PrintWriter err) throws Exception {
        List<ServingModel> opened = new ArrayList<>();
        try {
            for (String name : models) {
                opened.add(ServingModel.open(name, modelsDir, EngineKind.parse(pipelineEngine), pipelineEngineThreads()));
            }
            LabelledImages images = photoSplit.equals("validation") ? heldOutImages(opened)
                    : FashionMnist.loadShippedTestSplit();
            PhotoBench bench = new PhotoBench(images, PHOTO_SEED);
            return new PhotoReport(photoSplit, PHOTO_SEED,
                    bench.accuracy(opened, PhotoVariation.standard(), photoImages, err), bench.decodeSpeed(err));
        } finally {
            for (ServingModel m : opened) {
                m.close();
            }
        }
    }

    /** The validation images the models' cards held out of training, which must be the same for every model. */
    private LabelledImages heldOutImages(List<ServingModel> opened) throws IOException {
        Set<List<Long>> splits = new HashSet<>();
        for (ServingModel m : opened) {
            ModelCard.Training t = m.card().orElseThrow(() -> new IllegalArgumentException(
                    "--photo-split validation: " + m.name() + " has no model card to tell its held-out images")).training();
            splits.add(List.of(t.seed(), (long) t.validationSamples()));
        }
        if (splits.size() != 1) {
            throw new IllegalArgumentException("--photo-split validation: the models held out different images"
                    + " (seed and count: " + splits + "); bench them one at a time");
        }
        List<Long> split = splits.iterator().next();
        LabelledImages train = new FashionMnist(Optional.ofNullable(data)).locate(FashionMnist.Split.TRAIN).load();
        return TrainValidationSplit.of(train, split.get(1).intValue(), split.get(0)).validation();
    }

    private List<FailoverBench.Result> failover(List<FailoverBench.Scenario> scenarios, PrintWriter err) throws Exception {
        FailoverBench bench = new FailoverBench(new TestSplitSource(FashionMnist.loadShippedTestSplit()), pipelineModel,
                EngineKind.parse(pipelineEngine), modelsDir, failoverKills, failoverRate, Duration.ofMillis((long) (failoverObserveSeconds * 1000)),
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

    /**
     * One setting: the engine alone at its batch size, the pool saturated, the same pool on a
     * pass-through engine (the Kafka ceiling), then half the saturated rate for the latency.
     */
    private PipelineReport.Point point(PipelineBench bench, PipelineBench ceiling, EngineBench engine,
                                       PipelineBench.Setting setting, PrintWriter err) throws Exception {
        EngineBench.Point alone = engine.run(setting.maxBatch());
        PipelineBench.Measurement saturated = bench.run(setting, floodImages, 0);
        PipelineBench.Measurement kafka = ceiling.run(setting, floodImages, 0);
        double rate = saturated.imagesPerSec() / 2;
        long count = Math.max(20, (long) (rate * loadSeconds));
        PipelineBench.Measurement half = bench.run(setting, count, rate);
        double bound = setting.maxWaitMs() + setting.commitIntervalMs() + 2 * alone.msPerBatch();
        err.printf("pipeline %s: saturated %,8.0f images/s (engine %,8.0f, Kafka ceiling %,8.0f: %3.0f%%),"
                        + " mean batch %5.1f; at %,.0f/s p50 %,.0f ms p99 %,.0f ms (bound %,.0f ms)%n", setting,
                saturated.imagesPerSec(), alone.imagesPerSec(), kafka.imagesPerSec(),
                100 * saturated.imagesPerSec() / kafka.imagesPerSec(), saturated.meanBatchSize(), rate, half.p50Ms(),
                half.p99Ms(), bound);
        return new PipelineReport.Point(setting.maxBatch(), setting.maxWaitMs(), setting.decodeThreads(),
                setting.commitIntervalMs(), alone.imagesPerSec(), alone.msPerBatch(), saturated, kafka, half,
                saturated.imagesPerSec() / alone.imagesPerSec(), saturated.imagesPerSec() / kafka.imagesPerSec(),
                cpuBound(kafka, alone) / kafka.imagesPerSec(), bound, half.p99Ms() / bound);
    }

    /**
     * The most images per second end to end that this machine's cores allow at one setting: each
     * image costs the CPU the ceiling run spent per image (Kafka, the worker's plumbing, the bench's
     * sender and reader, the broker) plus what the engine alone spends per image on its threads.
     */
    private double cpuBound(PipelineBench.Measurement ceiling, EngineBench.Point alone) {
        double ceilingCores = ceiling.cpuCores().entrySet().stream()
                .filter(e -> !e.getKey().equals(ThreadCpu.OTHER_PROCESSES)).mapToDouble(Map.Entry::getValue).sum();
        if (ceilingCores <= 0) {
            return Double.NaN; // no per-thread counters on this system
        }
        int engineThreads = pipelineEngineThreads();
        double coreSecondsPerImage = ceilingCores / ceiling.imagesPerSec() + engineThreads / alone.imagesPerSec();
        return Runtime.getRuntime().availableProcessors() / coreSecondsPerImage;
    }

    /** The threads one forward pass of the pipeline's engine keeps busy. */
    private int pipelineEngineThreads() {
        return EngineKind.parse(pipelineEngine) == EngineKind.ONNXRUNTIME
                ? WorkerConfig.builder().workers(workers).intraOpThreads(intraOpThreads).build().effectiveIntraOpThreads()
                : MachineInfo.openMpThreads();
    }

    private EngineBench engineBench(InferenceEngine classifier) {
        return new EngineBench(classifier, Duration.ofMillis((long) (warmupSeconds * 1000)),
                Duration.ofMillis((long) (seconds * 1000)));
    }

}
