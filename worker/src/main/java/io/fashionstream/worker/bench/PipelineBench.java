package io.fashionstream.worker.bench;

import io.fashionstream.core.model.ModelFiles.LoadedModel;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.demo.DemoTopics;
import io.fashionstream.worker.demo.ResultTally;
import io.fashionstream.worker.kafka.KafkaClients;
import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.produce.ImageSender;
import io.fashionstream.worker.produce.ImageSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * End-to-end through a real broker: a worker pool on fresh topics, images sent as a flood
 * (saturated: the pool's best throughput) or at a fixed rate (latency under a given load),
 * answers read back as a {@code read_committed} consumer. Latency is send to answer visible.
 */
public final class PipelineBench {
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

    private final WorkerConfig base;
    private final LoadedModel model;
    private final ImageSource images;

    /**
     * One batching setting of the pool.
     *
     * @param decodeThreads helpers per worker thread decoding ahead; 0 decodes on the worker thread
     */
    public record Setting(int maxBatch, long maxWaitMs, int decodeThreads) {
        /** {@code max-batch:max-wait-ms[:decode-threads]}, the decode threads defaulting to the worker's default. */
        public static Setting parse(String text) {
            String[] p = text.strip().split(":");
            try {
                if (p.length < 2 || p.length > 3) {
                    throw new IllegalArgumentException();
                }
                return new Setting(Integer.parseInt(p[0].strip()), Long.parseLong(p[1].strip()),
                        p.length == 3 ? Integer.parseInt(p[2].strip()) : WorkerConfig.DEFAULT_DECODE_THREADS);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + text + "' is not max-batch:max-wait-ms[:decode-threads]");
            }
        }

        @Override
        public String toString() {
            return maxBatch + ":" + maxWaitMs + ":" + decodeThreads;
        }
    }

    /** {@code base}: the cluster, model and workers; topics, group and batching are set per run. */
    public PipelineBench(WorkerConfig base, LoadedModel model, ImageSource images) {
        this.base = base;
        this.model = model;
        this.images = images;
    }

    /**
     * What one run measured.
     *
     * @param p99ClassifiedMs p99 from send to result made in the worker, before commit and reader
     * @param cpuCores cores used on average by each thread group of this process, and by other
     *                 processes, from the first image sent to the last answer ({@link ThreadCpu})
     */
    public record Measurement(long images, double offeredPerSec, double imagesPerSec, double p50Ms, double p95Ms,
                              double p99Ms, double p99ClassifiedMs, double meanBatchSize, Map<String, Double> cpuCores) {
    }

    /** Sends {@code count} images at {@code rate} (0: a flood) with this batching; waits for every answer. */
    public Measurement run(Setting setting, long count, double rate) throws Exception {
        WorkerConfig config = DemoTopics.forFreshRun(base.toBuilder().maxBatch(setting.maxBatch())
                .maxWait(Duration.ofMillis(setting.maxWaitMs())).decodeThreads(setting.decodeThreads()).build(), "bench");
        Map<String, Object> clientProps = KafkaClients.common(config);
        DemoTopics.create(clientProps, config.inputTopic(), config.resultsTopic(), config.deadLetterTopic());
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        ResultTally tally = new ResultTally(clientProps, config.resultsTopic(), config.deadLetterTopic(), sentAt);
        Thread tallyThread = new Thread(tally, "fashion-bench-tally");
        tallyThread.start();
        ExecutorService sendingThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "fashion-bench-sender"));
        try (WorkerPool pool = WorkerPool.start(config, model, new SimpleMeterRegistry());
             ImageSender sender = new ImageSender(clientProps, "fashion-bench-producer", config.inputTopic())) {
            awaitReady(pool);
            ThreadCpu cpuBefore = ThreadCpu.now();
            long start = System.currentTimeMillis();
            // On a named thread, so that its CPU time is told apart from the unnamed OpenMP threads',
            // kept alive until counted (an ended thread's time is no longer listed).
            long sent = sendingThread.submit(() -> sender.send(images, count, rate,
                    (seq, item) -> String.format("bench-%07d", seq), sentAt::put, () -> pool.failure().isPresent())).get();
            if (sender.failed() > 0 || !tally.awaitAnswered(sent, STALL_TIMEOUT, () -> pool.failure().isPresent())) {
                throw new IllegalStateException("run on " + config.inputTopic() + " did not complete: " + tally.answered() + " of " + sent
                        + " answered" + pool.failure().map(f -> "; worker failed: " + f.getMessage()).orElse(""));
            }
            Map<String, Double> cpu = ThreadCpu.now().coresSince(cpuBefore);
            ResultTally.Snapshot s = tally.snapshot();
            double seconds = Math.max(1, s.lastAnswerMillis() - start) / 1000.0;
            return new Measurement(sent, rate, s.answered() / seconds, s.p50Ms(), s.p95Ms(), s.p99Ms(),
                    s.p99ClassifiedMs(), s.meanBatchSize(), cpu);
        } finally {
            sendingThread.shutdownNow();
            tally.stop();
            tallyThread.join();
            DemoTopics.delete(clientProps, List.of(config.inputTopic(), config.resultsTopic(), config.deadLetterTopic()));
        }
    }

    /** The group must have formed first, or its join time would count as latency. */
    private static void awaitReady(WorkerPool pool) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!pool.isReady()) {
            if (System.nanoTime() > deadline || pool.failure().isPresent()) {
                throw new IllegalStateException("the worker pool did not join its group within " + READY_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }
}
