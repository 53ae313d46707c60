package io.fashionstream.tools.bench;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.produce.ImageSource;
import io.fashionstream.worker.produce.TestSplitSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bench pipeline}: the worker pool end to end through a real broker (embedded unless
 * {@code --bootstrap-servers}) for a list of batching settings, saturated and at half the
 * saturated rate, each set against the engine alone and against the same pool on a pass-through
 * engine (the Kafka ceiling).
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "The worker pool end to end through Kafka, per batching setting: saturated, Kafka ceiling, half load.")
public final class PipelineBenchCommand implements Callable<Integer> {
    /** Distinct photos rendered for a run on JPEG photos; a longer run repeats them. */
    static final int DISTINCT_PHOTOS = 1000;
    /** Below this share the JIT compiler counts as settled (it never quite stops). */
    static final double SETTLED_JIT_CORES = 0.15;

    @Spec
    CommandSpec spec;

    @Mixin
    BenchReportOptions report;

    @Mixin
    EngineTiming timing;

    @Mixin
    ServedModelOptions served;

    @Option(names = "--format", defaultValue = "raw",
            description = "What the images are sent as: raw (784 bytes), png (28x28) or jpeg (600x800 catalog photos)"
                    + " (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--settings", split = ",",
            defaultValue = "1:0:0:0,1:0,8:10,64:10,64:10:1:0,256:10,256:10:0,1024:10,1024:100:1:100:100",
            description = PipelineBench.Setting.FORMAT + " settings, the others defaulting to the worker's defaults"
                    + " (max-latency-ms: none); a setting with a latency objective is also run at each of --loads"
                    + " (default: ${DEFAULT-VALUE})")
    List<String> settings;

    @Option(names = "--loads", split = ",", defaultValue = "0.1,0.3,0.5,0.7,0.9",
            description = "Shares of the saturated rate under live input (the sender offering the backlog's rate)"
                    + " at which a setting with a latency objective is run"
                    + " (default: ${DEFAULT-VALUE})")
    List<Double> loads;

    @Option(names = "--settle-seconds", defaultValue = "120",
            description = "Warm-up floods until the JIT compiler uses under 0.15 cores, for at most this long"
                    + " (default: ${DEFAULT-VALUE})")
    double settleSeconds;

    @Option(names = "--images", defaultValue = "30000", description = "Images of each saturated run's backlog (default: ${DEFAULT-VALUE})")
    long floodImages;

    @Option(names = "--load-seconds", defaultValue = "10", description = "Length of each half-load run (default: ${DEFAULT-VALUE})")
    double loadSeconds;

    @Option(names = "--workers", defaultValue = "1", description = "Worker threads (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--intra-op-threads", defaultValue = "0",
            description = "ONNX Runtime threads per forward pass, as on run; 0: the worker's default")
    int intraOpThreads;

    @Option(names = "--bootstrap-servers", description = "An existing cluster (fresh topics, deleted after) instead of an embedded broker")
    String bootstrapServers;

    @Override
    public Integer call() throws Exception {
        List<PipelineBench.Setting> parsed = validate();
        MachineInfo machine = BenchReportOptions.announceMachine(spec);
        PipelineReport pipeline = measure(parsed, spec.commandLine().getErr());
        report.write(new BenchCommand.Report(Instant.now().toString(), machine, null, null, pipeline, null, null), spec);
        return 0;
    }

    private List<PipelineBench.Setting> validate() {
        timing.validate();
        if (loadSeconds <= 0 || settleSeconds < 0) {
            throw new IllegalArgumentException("--load-seconds must be positive and --settle-seconds not negative");
        }
        if (!format.equals("raw") && !format.equals("png") && !format.equals("jpeg")) {
            throw new IllegalArgumentException("--format must be raw, png or jpeg, not '" + format + "'");
        }
        if (loads.stream().anyMatch(l -> !(l > 0 && l < 1))) {
            throw new IllegalArgumentException("--loads must be shares of the saturated rate, above 0 and under 1");
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

    private PipelineReport measure(List<PipelineBench.Setting> pipelineSettings, PrintWriter err) throws Exception {
        ImageSource images = format.equals("jpeg")
                ? new CatalogPhotoSource(FashionMnist.loadShippedTestSplit(), DISTINCT_PHOTOS)
                : new TestSplitSource(FashionMnist.loadShippedTestSplit(), format.equals("raw"));
        // Encode any PNGs now: encoded while sending, they would make the sender the bottleneck being measured.
        for (int i = 0; i < Math.min(floodImages, images.size()); i++) {
            images.item(i);
        }
        EmbeddedKafka embedded = null;
        WorkerConfig base = WorkerConfig.builder().model(served.model).modelsDir(report.modelsDir).workers(workers)
                .intraOpThreads(intraOpThreads).engine(served.engine).precision(served.precision())
                .transactionalIdPrefix("fashion-bench").build();
        try (ServingModel opened = base.openModel();
             ServingModel passThrough = new ServingModel(opened.name(), opened.version(), opened.card(), new PassThroughEngine())) {
            String servers = bootstrapServers;
            if (servers == null) {
                err.println("starting an embedded Kafka broker (KRaft, single node)...");
                embedded = EmbeddedKafka.start();
                servers = embedded.bootstrapServers();
            }
            base = base.toBuilder().bootstrapServers(servers).build();
            PipelineBench bench = new PipelineBench(base, opened, images);
            PipelineBench ceiling = new PipelineBench(base, passThrough, images);
            EngineBench alone = timing.benchOf(opened.engine());
            settle(bench, err);
            List<PipelineReport.Point> points = new ArrayList<>();
            for (PipelineBench.Setting setting : pipelineSettings) {
                points.add(point(bench, ceiling, alone, setting, base, err));
            }
            return PipelineReport.of(opened.name(), base.describeEngine(), format, workers,
                    bootstrapServers == null ? "embedded" : bootstrapServers, floodImages, loadSeconds, points);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
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
    private PipelineReport.Point point(PipelineBench bench, PipelineBench ceiling, EngineBench engineAlone,
                                       PipelineBench.Setting setting, WorkerConfig base, PrintWriter err) throws Exception {
        EngineBench.Point alone = engineAlone.run(setting.maxBatch());
        PipelineBench.Measurement saturated = bench.run(setting, floodImages, 0);
        PipelineBench.Measurement kafka = ceiling.run(setting, floodImages, 0);
        double rate = saturated.imagesPerSec() / 2;
        long count = Math.max(20, (long) (rate * loadSeconds));
        PipelineBench.Measurement half = bench.run(setting, count, rate);
        List<PipelineReport.Load> underObjective = new ArrayList<>();
        PipelineBench.Measurement live = null;
        PipelineBench.Measurement liveAfter = null;
        if (setting.maxLatencyMs() > 0) {
            // The shares are of what the pool answers while the bench's sender runs beside it on the same
            // cores (offered the backlog's rate), as it does in every run at a share: a real pool's producers
            // are elsewhere, and a share of the backlog's rate would count the sender's cores as the worker's.
            live = liveSaturated(bench, setting, saturated);
            err.printf("pipeline %s: saturated under live input %,.0f images/s (from a backlog %,.0f)%n", setting,
                    live.imagesPerSec(), saturated.imagesPerSec());
            for (double load : loads) {
                double offered = live.imagesPerSec() * load;
                PipelineBench.Measurement m = bench.run(setting, Math.max(20, (long) (offered * loadSeconds)), offered);
                underObjective.add(new PipelineReport.Load(load, m, m.p99Ms() <= setting.maxLatencyMs()));
                err.printf("pipeline %s at %.0f%% (%,.0f/s): p50 %,.0f ms p99 %,.0f ms, mean batch %.1f (objective %d ms)%n",
                        setting, 100 * load, offered, m.p50Ms(), m.p99Ms(), m.meanBatchSize(), setting.maxLatencyMs());
            }
            // On a shared machine the capacity moves: a share of a rate that no longer holds is more than that share.
            liveAfter = liveSaturated(bench, setting, saturated);
            err.printf("pipeline %s: saturated under live input %,.0f images/s after the shares%n", setting,
                    liveAfter.imagesPerSec());
        }
        // What an answer cannot avoid at half load: the wait, then two of what runs one after another (its own and
        // the one ahead of it): two passes and its unit's commit interval; where that is 0, two batch cycles, each a
        // pass and its transaction, timed in the saturated run (an input that comes during a transaction waits for it).
        double batchCycleMs = 1000 * saturated.meanBatchSize() / saturated.imagesPerSec();
        double bound = setting.maxWaitMs() + (setting.commitIntervalMs() > 0
                ? setting.commitIntervalMs() + 2 * alone.msPerBatch() : 2 * batchCycleMs);
        err.printf("pipeline %s: saturated %,8.0f images/s (engine %,8.0f, Kafka ceiling %,8.0f: %3.0f%%),"
                        + " mean batch %5.1f, accuracy %.4f; at %,.0f/s p50 %,.0f ms p99 %,.0f ms (bound %,.0f ms)%n", setting,
                saturated.imagesPerSec(), alone.imagesPerSec(), kafka.imagesPerSec(),
                100 * saturated.imagesPerSec() / kafka.imagesPerSec(), saturated.meanBatchSize(), saturated.accuracy(), rate, half.p50Ms(),
                half.p99Ms(), bound);
        return new PipelineReport.Point(setting.maxBatch(), setting.maxWaitMs(), setting.decodeThreads(),
                setting.commitIntervalMs(), setting.maxLatencyMs(), alone.imagesPerSec(), alone.msPerBatch(), saturated, kafka, half,
                saturated.imagesPerSec() / alone.imagesPerSec(), saturated.imagesPerSec() / kafka.imagesPerSec(),
                cpuBound(kafka, alone, base) / kafka.imagesPerSec(), bound, half.p99Ms() / bound, live, underObjective,
                liveAfter);
    }

    /** The pool offered {@code saturated}'s rate while the bench's sender shares its cores. */
    private PipelineBench.Measurement liveSaturated(PipelineBench bench, PipelineBench.Setting setting,
                                                    PipelineBench.Measurement saturated) throws Exception {
        return bench.run(setting, (long) (saturated.imagesPerSec() * loadSeconds), saturated.imagesPerSec());
    }

    /**
     * The most images per second end to end that this machine's cores allow at one setting: each
     * image costs the CPU the ceiling run spent per image (Kafka, the worker's plumbing, the bench's
     * sender and reader, the broker) plus what the engine alone spends per image on its threads.
     */
    private static double cpuBound(PipelineBench.Measurement ceiling, EngineBench.Point alone, WorkerConfig base) {
        double ceilingCores = ceiling.cpuCores().entrySet().stream()
                .filter(e -> !e.getKey().equals(ThreadCpu.OTHER_PROCESSES)).mapToDouble(Map.Entry::getValue).sum();
        if (ceilingCores <= 0) {
            return Double.NaN; // no per-thread counters on this system
        }
        double coreSecondsPerImage = ceilingCores / ceiling.imagesPerSec() + engineThreads(base) / alone.imagesPerSec();
        return Runtime.getRuntime().availableProcessors() / coreSecondsPerImage;
    }

    /** The threads one forward pass of the workers' engine keeps busy. */
    static int engineThreads(WorkerConfig config) {
        return config.engine() == EngineKind.ONNXRUNTIME ? config.effectiveIntraOpThreads() : MachineInfo.openMpThreads();
    }
}
