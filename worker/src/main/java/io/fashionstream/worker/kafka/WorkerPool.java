package io.fashionstream.worker.kafka;

import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.worker.config.GroupProtocol;
import io.fashionstream.worker.config.Guarantee;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.batch.AnswerStage;
import io.fashionstream.worker.batch.DecodeStage;
import io.fashionstream.worker.batch.ForwardPassStage;
import io.fashionstream.worker.batch.StagePipeline;
import io.fashionstream.worker.fetch.FetchStage;
import io.fashionstream.worker.metrics.ReleaseMetrics;
import io.fashionstream.worker.metrics.WorkerMetrics;
import io.fashionstream.worker.release.Deployment;
import io.fashionstream.worker.release.LiveModels;
import io.fashionstream.worker.release.ReleaseLoader;
import io.fashionstream.worker.records.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * {@code --workers N} worker threads in one consumer group, each with its own consumer,
 * producer and engine of each live release ({@link InferenceEngine#copy()}: its own buffers, and
 * for DL4J its own network, which is not thread-safe). If one thread meets a fatal error the whole pool
 * stops, so a supervisor sees the process end and restarts it.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    /** How long a graceful stop may take before the pool gives up waiting. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(8);

    private final List<WorkerLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<ForwardPassStage> forwardStages = new ArrayList<>();
    private final WorkerMetrics metrics;
    private final ReleaseMetrics releases;
    private final KafkaClientMeters clientMeters;
    /** Fetches images by reference for every worker thread of the process; set once built. */
    private FetchStage fetches;
    private final GroupProtocol protocol;
    private final Duration stallTimeout;
    private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fashion-stall-watch");
        t.setDaemon(true);
        return t;
    });

    private WorkerPool(WorkerMetrics metrics, ReleaseMetrics releases, MeterRegistry registry, GroupProtocol protocol,
                       Duration stallTimeout) {
        this.metrics = metrics;
        this.releases = releases;
        this.clientMeters = new KafkaClientMeters(registry);
        this.protocol = protocol;
        this.stallTimeout = stallTimeout;
    }

    /** {@link #start(WorkerConfig, LiveModels, MeterRegistry)} serving {@code model} alone, which stays the caller's. */
    public static WorkerPool start(WorkerConfig config, ServingModel model, MeterRegistry registry)
            throws KafkaUnavailableException {
        ReleaseLoader loader = new ReleaseLoader(null, config.reviewTopic(), config.reviewThreshold());
        return start(config, new LiveModels(Deployment.of(loader.local(model))), registry);
    }

    /**
     * Checks the cluster ({@link Preflight}), adapts to what it found (group protocol, record size
     * limits), builds the clients and starts the threads, which serve whatever {@code models} holds
     * at each batch.
     */
    public static WorkerPool start(WorkerConfig config, LiveModels models, MeterRegistry registry)
            throws KafkaUnavailableException {
        ClusterFacts facts = Preflight.check(config);
        RecordSizeLimits limits = RecordSizeLimits.of(config, facts);
        limits.deadLetterWarning(config).ifPresent(log::warn);
        if (config.decodeThreads() == 0) {
            log.warn("--decode-threads 0: images decode on the worker threads, where --decode-timeout-ms cannot apply;"
                    + " one image that decodes for minutes would hold its worker thread that long");
        }
        GroupProtocol protocol = KafkaClients.protocol(config, facts);
        logProtocol(config, facts, protocol);

        ReleaseMetrics releases = new ReleaseMetrics(models);
        WorkerMetrics metrics = new WorkerMetrics(releases);
        metrics.bindTo(registry);
        WorkerPool pool = new WorkerPool(metrics, releases, registry, protocol, config.stallTimeout());
        // Each worker thread joins as a static member (<prefix>-<thread>) unless --static-membership false,
        // so that a restarted process takes its predecessor's place at once: under the classic protocol
        // the coordinator hands the static id's partitions over without a rebalance; under the consumer
        // protocol, which refuses a static id still held until its session times out, the predecessor's
        // members are removed first.
        if (protocol == GroupProtocol.CONSUMER && config.staticMembership()) {
            PredecessorRemoval.remove(config, IntStream.range(0, config.workers())
                    .mapToObj(i -> config.transactionalIdPrefix() + "-" + i).toList());
        }
        ImagePreprocessor preprocessor = new ImagePreprocessor(config.imageLimits());
        preprocessor.warmUp(); // native codecs loaded before any input is timed against the decode deadline
        metrics.watchPreprocessing(preprocessor);
        metrics.watchLatencyObjective(config.maxLatency());
        FetchStage fetches = new FetchStage(config.fetch(), config.imageLimits().maxBytes());
        fetches.bindTo(registry);
        pool.fetches = fetches;
        if (config.fetch().allow().isEmpty()) {
            log.info("Images by reference are not fetched (--fetch-allow is empty): they are dead-lettered as fetch_forbidden");
        } else {
            log.info("Images by reference are fetched from {} ({}), {} at a time, {} per host, within {} ms",
                    config.fetch().allow(), config.fetch().allowHttp() ? "https and http" : "https only",
                    config.fetch().concurrency(), config.fetch().perHost(), config.fetch().totalTimeout().toMillis());
        }
        DecodeStage decode = new DecodeStage(preprocessor, config.decodeTimeout(), fetches);
        DeadLetters deadLetters = new DeadLetters(config.deadLetterTopic(), limits.deadLetterBytes());
        for (int i = 0; i < config.workers(); i++) {
            String name = "fashion-worker-" + i;
            String stableId = config.transactionalIdPrefix() + "-" + i;
            ForwardPassStage forward = new ForwardPassStage(models); // takes its own engine of each live release
            pool.forwardStages.add(forward);
            // Distinct client ids per role, as Kafka Streams names its clients, so their metrics never collide.
            Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(config, name + "-consumer",
                    protocol, config.staticMembership() ? stableId : null));
            Producer<byte[], byte[]> producer = new KafkaProducer<>(
                    KafkaClients.producer(config, name + "-producer", stableId, limits));
            pool.clientMeters.bind(consumer, producer);
            BatchPublisher publisher = config.guarantee() == Guarantee.EXACTLY_ONCE
                    ? new TransactionalPublisher(producer, consumer, KafkaClients.ACK_TIMEOUT)
                    : new AtLeastOncePublisher(producer, consumer, KafkaClients.ACK_TIMEOUT);
            AnswerStage answers = new AnswerStage(config.resultsTopic(), config.topK(), deadLetters,
                    config.resultHeaders(), System::currentTimeMillis);
            StagePipeline pipeline = new StagePipeline(decode, forward, answers, config.maxBatch(),
                    config.decodeThreads(), name);
            WorkerLoop loop = new WorkerLoop(name, consumer, publisher, pipeline, answers, metrics, config.inputTopic(),
                    LoopSettings.of(config));
            metrics.watchWorker(name, () -> loop.status().progressAgeSeconds(), () -> loop.status().heldRecords());
            metrics.watchBatching(name, loop::batchSizeLimit, loop::batchWaitLimitSeconds, loop::commitSlackSeconds);
            pool.loops.add(loop);
            pool.threads.add(new Thread(() -> {
                loop.run();
                if (loop.failure() != null) {
                    pool.stop();
                }
            }, name));
        }
        pool.threads.forEach(Thread::start);
        pool.watch.scheduleWithFixedDelay(new StallWatch(pool::statuses, config.stallTimeout()), 1, 1, TimeUnit.SECONDS);
        return pool;
    }

    private static void logProtocol(WorkerConfig config, ClusterFacts facts, GroupProtocol protocol) {
        String why = config.groupProtocol() != GroupProtocol.AUTO ? "chosen with --group-protocol"
                : facts.consumerProtocolEnabled() ? "the broker offers it (feature group.version >= 1)"
                : "the broker does not offer the consumer protocol (feature group.version < 1)";
        log.info("consumer group protocol: {} ({}); {}", protocol.cliName(), why, config.staticMembership()
                ? "static membership as " + config.transactionalIdPrefix() + "-<thread>" : "dynamic membership");
        List<String> ignored = KafkaClients.ignoredUnder(protocol, config);
        if (!ignored.isEmpty()) {
            log.warn("{} left out: not a setting of the {} group protocol{}", String.join(", ", ignored),
                    protocol.cliName(), protocol == GroupProtocol.CONSUMER
                            ? " (the broker's group.consumer.* settings decide session and heartbeat times)" : "");
        }
    }

    /** Asks every thread to finish its batch, commit and leave the group; returns at once. */
    public void stop() {
        loops.forEach(WorkerLoop::stop);
    }

    /** Waits for every thread to end; true if all did within {@code timeout}. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, left / 1_000_000));
            }
        }
        return threads.stream().noneMatch(Thread::isAlive);
    }

    /** Whether every thread's consumer has joined the group (readiness asks more: see {@code WorkerHealth}). */
    public boolean allJoined() {
        return joinedWorkers() == size();
    }

    /** How many threads' consumers have joined the group. */
    public int joinedWorkers() {
        return (int) loops.stream().filter(WorkerLoop::hasJoined).count();
    }

    /** Input partitions each thread's consumer owns now. */
    public List<Integer> ownedPartitions() {
        return loops.stream().map(WorkerLoop::ownedPartitions).toList();
    }

    /** The number of worker threads. */
    public int size() {
        return loops.size();
    }

    /** Each thread's state now. */
    public List<WorkerStatus> statuses() {
        return loops.stream().map(WorkerLoop::status).toList();
    }

    /** The group protocol the consumers use. */
    public GroupProtocol protocol() {
        return protocol;
    }

    /** How long a worker may be stuck or out of touch with the broker before it is not ready. */
    public Duration stallTimeout() {
        return stallTimeout;
    }

    /** The first thread failure, if any. */
    public Optional<Throwable> failure() {
        return loops.stream().map(WorkerLoop::failure).filter(f -> f != null).findFirst();
    }

    public boolean isRunning() {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    /** The meters of the live releases, which a release watcher also counts its work in. */
    public ReleaseMetrics releaseMetrics() {
        return releases;
    }

    /** Stops gracefully and frees each thread's engines (once the threads ended). */
    @Override
    public void close() throws InterruptedException {
        stop();
        watch.shutdownNow();
        if (awaitTermination(STOP_TIMEOUT)) {
            forwardStages.forEach(ForwardPassStage::close);
        }
        clientMeters.close();
        if (fetches != null) {
            fetches.close();
        }
    }
}
