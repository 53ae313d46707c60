package io.fashionstream.tools.bench;

import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.tools.demo.DemoTopics;
import io.fashionstream.tools.demo.ResultTally;
import io.fashionstream.tools.demo.SendLog;
import io.fashionstream.worker.kafka.KafkaClients;
import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.metrics.WorkerMetrics;
import io.fashionstream.worker.produce.ImageSender;
import io.fashionstream.worker.produce.ImageSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * End-to-end through a real broker: a worker pool on fresh topics, images sent as a flood
 * (saturated: the pool's best throughput) or at a fixed rate (latency under a given load),
 * answers read back as a {@code read_committed} consumer. Latency is send to answer visible.
 */
public final class PipelineBench {
    /** Inputs are keyed {@code bench-<sequence>}. */
    static final String KEY_PREFIX = "bench-";
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);
    /** The longest a backlog is timed: enough for 30,000 images at 1,000 a second. */
    static final Duration MAX_BACKLOG_TIME = Duration.ofSeconds(30);
    /**
     * A run at a fixed rate sends at that rate this long before it starts timing: a fresh pool's
     * first second (new clients' metadata, first transactions, code paths the JIT compiler has
     * not met under a steady rate) held answers for up to 0.8 s in a 10 s run on this machine,
     * and that one stall was the whole of its p99. Its p99 is reported apart, not hidden.
     */
    static final Duration LEAD_IN = Duration.ofSeconds(2);

    private final WorkerConfig base;
    private final ServingModel model;
    private final ImageSource images;

    /**
     * One batching setting of the pool.
     *
     * @param decodeThreads    helpers per worker thread decoding ahead; 0 decodes on the worker thread
     * @param commitIntervalMs how long a transaction gathers batches before it commits; 0: one per batch
     * @param maxLatencyMs     the workers' latency objective ({@code --max-latency-ms}); 0: none
     */
    public record Setting(int maxBatch, long maxWaitMs, int decodeThreads, long commitIntervalMs, long maxLatencyMs) {
        static final String FORMAT = "max-batch:max-wait-ms[:decode-threads[:commit-interval-ms[:max-latency-ms]]]";

        /** {@value #FORMAT}, the others defaulting to the worker's defaults. */
        public static Setting parse(String text) {
            String[] p = text.strip().split(":");
            try {
                if (p.length < 2 || p.length > 5) {
                    throw new IllegalArgumentException();
                }
                return new Setting(Integer.parseInt(p[0].strip()), Long.parseLong(p[1].strip()),
                        p.length >= 3 ? Integer.parseInt(p[2].strip()) : WorkerConfig.DEFAULT_DECODE_THREADS,
                        p.length >= 4 ? Long.parseLong(p[3].strip()) : WorkerConfig.DEFAULT_COMMIT_INTERVAL_MS,
                        p.length == 5 ? Long.parseLong(p[4].strip()) : 0);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + text + "' is not " + FORMAT);
            }
        }

        @Override
        public String toString() {
            return maxBatch + ":" + maxWaitMs + ":" + decodeThreads + ":" + commitIntervalMs
                    + (maxLatencyMs > 0 ? ":" + maxLatencyMs : "");
        }
    }

    /** {@code base}: the cluster, model and workers; topics, group and batching are set per run. */
    public PipelineBench(WorkerConfig base, ServingModel model, ImageSource images) {
        this.base = base;
        this.model = model;
        this.images = images;
    }

    /**
     * What one run measured.
     *
     * @param p99ClassifiedMs p99 from send to result made in the worker, before commit and reader
     * @param p99LeadInMs     at a fixed rate, the p99 of the {@link #LEAD_IN}'s inputs (not in the other percentiles)
     * @param accuracy        of the answers to labelled images (NaN: none labelled)
     * @param decodeMsPerImage     time the decode helpers spent decoding encoded images, per image answered (0 for raw)
     * @param conversionMsPerImage time they spent converting them to 28x28, per image answered
     * @param cpuCores cores used on average by each thread group of this process, and by other
     *                 processes, from the first image sent to the last answer ({@link ThreadCpu})
     */
    public record Measurement(long images, double offeredPerSec, double imagesPerSec, double p50Ms, double p95Ms,
                              double p99Ms, double p99ClassifiedMs, double p99LeadInMs, double meanBatchSize,
                              double accuracy, Map<String, Double> cpuCores, double decodeMsPerImage, double conversionMsPerImage) {
    }

    /**
     * With this batching, waits for every answer to {@code count} images. {@code rate} above 0: the
     * pool runs first and the images come at that rate, for latency, after a {@link #LEAD_IN} at the
     * same rate. 0: a backlog, as after an
     * outage or a deploy: the images are all in the topic before the pool starts, and the clock
     * runs from the pool's joining its group to the last answer, so the sender's CPU is not in it.
     */
    public Measurement run(Setting setting, long count, double rate) throws Exception {
        WorkerConfig config = DemoTopics.forFreshRun(base.toBuilder().maxBatch(setting.maxBatch())
                .maxWait(Duration.ofMillis(setting.maxWaitMs())).decodeThreads(setting.decodeThreads())
                .commitInterval(Duration.ofMillis(setting.commitIntervalMs()))
                .maxLatency(Duration.ofMillis(setting.maxLatencyMs())).build(), "bench");
        Map<String, Object> clientProps = KafkaClients.common(config);
        DemoTopics.create(clientProps, config);
        SendLog sentAt = new SendLog(KEY_PREFIX);
        ResultTally tally = new ResultTally(clientProps, config.resultsTopic(), config.deadLetterTopic(), sentAt);
        Thread tallyThread = new Thread(tally, "fashion-bench-tally");
        tallyThread.start();
        ExecutorService sendingThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "fashion-bench-sender"));
        boolean backlog = rate <= 0;
        try (ImageSender sender = new ImageSender(clientProps, "fashion-bench-producer", config.inputTopic())) {
            // On a named thread, so that its CPU time is told apart from the unnamed native threads'.
            Future<Long> sending = null;
            if (backlog) {
                long sent = send(sendingThread, sender, count, rate, sentAt, () -> false).get();
                if (sender.failed() > 0) {
                    throw new IllegalStateException("the backlog was not written: " + sender.failed() + " of " + sent + " refused");
                }
            }
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (WorkerPool pool = WorkerPool.start(config, model, registry)) {
                awaitSettled(pool);
                ThreadCpu cpuBefore = ThreadCpu.now();
                double decodedBefore = seconds(registry, WorkerMetrics.DECODE_SECONDS);
                double convertedBefore = seconds(registry, WorkerMetrics.CONVERSION_SECONDS);
                long start = System.currentTimeMillis();
                // A backlog is being answered already: what came before the clock started is not counted.
                long answeredBefore = tally.answered();
                if (!backlog) {
                    tally.timeLatencyFrom(start + LEAD_IN.toMillis());
                    long leadIn = (long) Math.ceil(rate * LEAD_IN.toMillis() / 1000.0);
                    sending = send(sendingThread, sender, leadIn + count, rate, sentAt, () -> pool.failure().isPresent());
                }
                long sent = sending == null ? sentAt.size() : sending.get();
                // A slow setting (one transaction per record) is timed on the part of the backlog it answers in time.
                long deadline = System.nanoTime() + MAX_BACKLOG_TIME.toNanos();
                BooleanSupplier stop = () -> pool.failure().isPresent() || (backlog && System.nanoTime() > deadline);
                if (sender.failed() > 0 || !tally.awaitAnswered(sent, STALL_TIMEOUT, stop) && !timedOut(deadline, pool)) {
                    throw new IllegalStateException("run on " + config.inputTopic() + " did not complete: " + tally.answered()
                            + " of " + sent + " answered" + pool.failure().map(f -> "; worker failed: " + f.getMessage()).orElse(""));
                }
                Map<String, Double> cpu = ThreadCpu.now().coresSince(cpuBefore);
                ResultTally.Snapshot s = tally.snapshot();
                double seconds = Math.max(1, s.lastAnswerMillis() - start) / 1000.0;
                double answered = Math.max(1, s.answered() - answeredBefore);
                return new Measurement(sent, rate, answered / seconds, s.p50Ms(), s.p95Ms(), s.p99Ms(),
                        s.p99ClassifiedMs(), tally.leadInP99Ms(), s.meanBatchSize(), s.accuracy(), cpu,
                        (seconds(registry, WorkerMetrics.DECODE_SECONDS) - decodedBefore) * 1000 / answered,
                        (seconds(registry, WorkerMetrics.CONVERSION_SECONDS) - convertedBefore) * 1000 / answered);
            }
        } finally {
            sendingThread.shutdownNow();
            tally.stop();
            tallyThread.join();
            DemoTopics.delete(clientProps, DemoTopics.names(config));
        }
    }

    /** A time counter of the pool's registry, 0 where it has none. */
    private static double seconds(MeterRegistry registry, String name) {
        FunctionCounter counter = registry.find(name).functionCounter();
        return counter == null ? 0 : counter.count();
    }

    /** Every partition owned, and at least {@code owners} threads owning some. */
    private static boolean sharedOut(List<Integer> owned, int owners) {
        return owned.stream().filter(n -> n > 0).count() >= owners
                && owned.stream().mapToInt(Integer::intValue).sum() >= DemoTopics.INPUT_PARTITIONS;
    }

    /** The backlog's time ran out with the pool still healthy: measured on what it answered. */
    private static boolean timedOut(long deadline, WorkerPool pool) {
        return System.nanoTime() > deadline && pool.failure().isEmpty();
    }

    private Future<Long> send(ExecutorService thread, ImageSender sender, long count, double rate,
                              SendLog sentAt, BooleanSupplier stop) {
        return thread.submit(() -> sender.send(images, count, rate, (seq, item) -> ImageSender.sequenceKey(KEY_PREFIX, seq),
                sentAt, stop));
    }

    /**
     * The group must have formed, and its partitions have been shared out, first: a second worker
     * thread's share moves to it only at its next heartbeat (seconds), and a run measured meanwhile
     * would measure one thread.
     */
    private static void awaitSettled(WorkerPool pool) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int everyoneGetsOne = Math.min(pool.size(), DemoTopics.INPUT_PARTITIONS);
        while (!pool.allJoined() || !sharedOut(pool.ownedPartitions(), everyoneGetsOne)) {
            if (System.nanoTime() > deadline || pool.failure().isPresent()) {
                throw new IllegalStateException("the worker pool did not share out its partitions within "
                        + READY_TIMEOUT.toSeconds() + " s: " + pool.ownedPartitions());
            }
            Thread.sleep(20);
        }
    }
}
