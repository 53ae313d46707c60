package io.fashionstream.worker.metrics;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.worker.batch.Answer;
import io.fashionstream.worker.batch.BatchAnswers;
import io.fashionstream.worker.records.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * The worker's own meters (DESIGN.md, "Metrics"), registered in one place. Dot-separated
 * names become e.g. {@code fashion_records_total} in Prometheus. Label values are bounded sets
 * (outcome, reason, class, model): never per-record ids. Shared by every worker thread.
 */
public final class WorkerMetrics implements MeterBinder {
    /** Meter names the bench reads back. */
    public static final String DECODE_SECONDS = "fashion.image.decode";
    public static final String CONVERSION_SECONDS = "fashion.image.conversion";

    public static final String OUTCOME_CLASSIFIED = "classified";
    public static final String OUTCOME_DEAD_LETTERED = "dead_lettered";
    /** Labelled inputs the rolling accuracy looks back over. */
    public static final int ACCURACY_WINDOW = 1000;

    /** Buckets around a 10 ms latency objective, then coarser up to a minute. */
    static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};

    private final RollingAccuracy accuracy = new RollingAccuracy(ACCURACY_WINDOW);
    private final ReleaseMetrics releases;
    private final InputHealth inputHealth = new InputHealth();
    private MeterRegistry registry;
    private DistributionSummary batchSize;
    private Timer decode;
    private Timer inference;
    private Timer endToEnd;
    // Looked up once: building a meter's id for every record costs more than counting it.
    private Counter classified;
    private final Counter[] predictions = new Counter[FashionClass.values().length];
    private final Counter[][] labeled = new Counter[FashionClass.values().length][FashionClass.values().length];
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();

    /** @param releases the meters of the live releases, which these meters hand each answer's release part to */
    public WorkerMetrics(ReleaseMetrics releases) {
        this.releases = releases;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        batchSize = DistributionSummary.builder("fashion.batch.size")
                .description("Images per forward pass")
                .serviceLevelObjectives(BATCH_BUCKETS)
                .register(registry);
        decode = Timer.builder("fashion.decode")
                .description("Time to decode and preprocess one batch (on a decode helper with --decode-threads above 0)")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        inference = Timer.builder("fashion.inference")
                .description("Time of one batch's forward pass")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        endToEnd = Timer.builder("fashion.end.to.end")
                .description("Input record timestamp to its result or dead letter acknowledged by Kafka")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        Gauge.builder("fashion.accuracy", accuracy, RollingAccuracy::value)
                .description("Accuracy over the last " + ACCURACY_WINDOW + " inputs that carried a label header")
                .register(registry);
        // Zero-valued series from the start, so rates and alerts have something to work on.
        classified = records(OUTCOME_CLASSIFIED, "none");
        inputHealth.bindTo(registry);
        releases.bindTo(registry);
        for (FashionClass c : FashionClass.values()) {
            predictions[c.ordinal()] = Counter.builder("fashion.predictions")
                    .description("Predictions by class")
                    .tags("class", c.displayName())
                    .register(registry);
        }
    }

    /** Records a batch's sizes and timings, once per batch, as soon as it has been classified. */
    public void recordBatch(BatchAnswers batch) {
        if (registry == null) {
            return;
        }
        if (!batch.answers().isEmpty()) {
            decode.record(batch.decodeNanos(), TimeUnit.NANOSECONDS);
        }
        if (batch.classifiedCount() > 0) {
            batchSize.record(batch.classifiedCount());
            inference.record(batch.inferenceNanos(), TimeUnit.NANOSECONDS);
            releases.recordPasses(batch.passes());
        }
    }

    /**
     * Counts answers once they are committed (exactly-once) or acknowledged (at-least-once): a batch
     * may be committed in parts, and an answer Kafka refused is counted as the dead letter that replaced it.
     */
    public void recordAnswered(List<Answer> answers, long ackedAtMillis) {
        if (registry == null) {
            return;
        }
        for (Answer answer : answers) {
            long timestamp = answer.source().timestamp();
            if (timestamp >= 0) {
                endToEnd.record(Math.max(0, ackedAtMillis - timestamp), TimeUnit.MILLISECONDS);
            }
            if (!answer.classified()) {
                deadLettered.computeIfAbsent(DeadLetters.reason(answer.error()),
                        reason -> records(OUTCOME_DEAD_LETTERED, reason)).increment();
                continue;
            }
            classified.increment();
            inputHealth.record(answer.measured());
            releases.recordAnswered(answer);
            FashionClass predicted = answer.prediction().fashionClass();
            predictions[predicted.ordinal()].increment();
            if (answer.truth() != null) {
                labeled(answer.truth(), predicted).increment();
                accuracy.record(answer.truth() == predicted);
            }
        }
    }

    /**
     * Gauges of one worker thread: how long since it last made progress (committed answers, or had
     * nothing left to answer), and how many inputs it holds unanswered. A stall alert reads the first.
     */
    public void watchWorker(String worker, DoubleSupplier progressAgeSeconds, IntSupplier heldRecords) {
        if (registry == null) {
            return;
        }
        Gauge.builder("fashion.progress.age", progressAgeSeconds::getAsDouble)
                .description("Seconds since this worker thread last committed answers or had nothing left to answer")
                .baseUnit("seconds")
                .tags("worker", worker)
                .register(registry);
        Gauge.builder("fashion.held.records", heldRecords::getAsInt)
                .description("Inputs this worker thread has fetched and not yet answered")
                .tags("worker", worker)
                .register(registry);
    }

    /**
     * Gauges of one worker thread's batching: the most inputs its next batch may hold and the longest
     * it may wait, the configured ones or, under a latency objective, what its measured costs allow;
     * and, under an objective, how much earlier than its budget a unit commits for the lateness of
     * the latest ones (how much tail a busy machine adds).
     */
    public void watchBatching(String worker, IntSupplier sizeLimit, DoubleSupplier waitLimitSeconds,
                              DoubleSupplier commitSlackSeconds) {
        if (registry == null) {
            return;
        }
        Gauge.builder("fashion.batch.limit", sizeLimit::getAsInt)
                .description("Most inputs this worker thread's next batch may hold (--max-batch, or less under --max-latency-ms)")
                .tags("worker", worker)
                .register(registry);
        Gauge.builder("fashion.batch.wait.limit", waitLimitSeconds::getAsDouble)
                .description("Longest this worker thread's next batch may wait to fill (--max-wait-ms, or less under"
                        + " --max-latency-ms)")
                .baseUnit("seconds")
                .tags("worker", worker)
                .register(registry);
        Gauge.builder("fashion.commit.slack", commitSlackSeconds::getAsDouble)
                .description("How much earlier than its budget this worker thread's units commit under --max-latency-ms,"
                        + " for the lateness of its latest units (their 90th percentile); 0 without an objective")
                .baseUnit("seconds")
                .tags("worker", worker)
                .register(registry);
    }

    /** The process's --max-latency-ms, which an alert compares its p99 with; only where one is set. */
    public void watchLatencyObjective(Duration objective) {
        if (registry == null || objective.isZero()) {
            return;
        }
        double seconds = objective.toNanos() / 1e9;
        Gauge.builder("fashion.latency.objective", () -> seconds)
                .description("The workers' latency objective (--max-latency-ms): record timestamp to answer committed")
                .baseUnit("seconds")
                .register(registry);
    }

    /**
     * Counters of the time the worker's decode helpers spent decoding encoded images and converting
     * them to 28x28, and of the images: their rates give each phase's time per image.
     */
    public void watchPreprocessing(ImagePreprocessor preprocessor) {
        if (registry == null) {
            return;
        }
        FunctionCounter.builder(DECODE_SECONDS, preprocessor, ImagePreprocessor::decodeSeconds)
                .description("Time spent decoding encoded images (JPEG, PNG, ...) to gray, over every decode helper")
                .baseUnit("seconds")
                .register(registry);
        FunctionCounter.builder(CONVERSION_SECONDS, preprocessor, ImagePreprocessor::convertSeconds)
                .description("Time spent converting decoded images to 28x28 (the photo conversion), over every decode helper")
                .baseUnit("seconds")
                .register(registry);
        FunctionCounter.builder("fashion.images.converted", preprocessor, p -> p.imagesConverted())
                .description("Encoded images decoded and converted")
                .register(registry);
    }

    /** Rolling accuracy now, NaN before any labelled input. */
    public double accuracy() {
        return accuracy.value();
    }

    private Counter records(String outcome, String reason) {
        return Counter.builder("fashion.records")
                .description("Input records by outcome; reason says why one was dead-lettered")
                .tags("outcome", outcome, "reason", reason)
                .register(registry);
    }

    /** Registered on first use, so only the cells of the confusion matrix that occur become series. */
    private Counter labeled(FashionClass truth, FashionClass predicted) {
        Counter c = labeled[truth.ordinal()][predicted.ordinal()];
        if (c == null) {
            // Racing threads get the same meter back from the registry: the write is idempotent.
            c = Counter.builder("fashion.labeled")
                    .description("Labelled inputs by true and predicted class (the confusion matrix)")
                    .tags("truth", truth.displayName(), "predicted", predicted.displayName())
                    .register(registry);
            labeled[truth.ordinal()][predicted.ordinal()] = c;
        }
        return c;
    }
}
