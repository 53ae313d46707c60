package io.fashionstream.worker.kafka;

import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.inference.FashionClassifier;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.model.ModelFiles.LoadedModel;
import io.fashionstream.worker.config.Guarantee;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.metrics.WorkerMetrics;
import io.fashionstream.worker.pipeline.BatchClassifier;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code --workers N} worker threads in one consumer group, each with its own consumer,
 * producer and copy of the network (DL4J networks are not thread-safe). If one thread meets a
 * fatal error the whole pool stops, so a supervisor sees the process end and restarts it.
 */
public final class WorkerPool implements AutoCloseable {
    /** How long a graceful stop may take before the pool gives up waiting. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(8);

    private final List<WorkerLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<FashionClassifier> classifiers = new ArrayList<>();
    private final WorkerMetrics metrics;
    private final KafkaClientMeters clientMeters;

    private WorkerPool(WorkerMetrics metrics, MeterRegistry registry) {
        this.metrics = metrics;
        this.clientMeters = new KafkaClientMeters(registry);
    }

    /** Builds the clients and starts the threads. */
    public static WorkerPool start(WorkerConfig config, LoadedModel model, MeterRegistry registry) {
        WorkerMetrics metrics = new WorkerMetrics(model.name(), model.version(),
                model.card().map(ModelCard::testAccuracy).orElse(Double.NaN));
        metrics.bindTo(registry);
        WorkerPool pool = new WorkerPool(metrics, registry);
        // The pool's own copy of the network (the caller keeps the model): thread 0 runs it, the others copies.
        FashionClassifier base = FashionClassifier.forInference(model.network());
        ImagePreprocessor preprocessor = new ImagePreprocessor(config.imageLimits());
        for (int i = 0; i < config.workers(); i++) {
            String name = "fashion-worker-" + i;
            FashionClassifier classifier = i == 0 ? base : base.copy();
            pool.classifiers.add(classifier);
            Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(config, name));
            Producer<byte[], byte[]> producer = new KafkaProducer<>(
                    KafkaClients.producer(config, name, config.transactionalIdPrefix() + "-" + i));
            pool.clientMeters.bind(consumer, producer);
            BatchPublisher publisher = config.guarantee() == Guarantee.EXACTLY_ONCE
                    ? new TransactionalPublisher(producer, consumer)
                    : new AtLeastOncePublisher(producer, consumer);
            BatchClassifier batches = new BatchClassifier(classifier, preprocessor, model.name(), model.version(),
                    config.resultsTopic(), config.deadLetterTopic(), config.maxBatch(), System::currentTimeMillis);
            WorkerLoop loop = new WorkerLoop(name, consumer, publisher, batches, config.decodeThreads(), metrics,
                    config.inputTopic(), config.maxBatch(), config.maxWait(), System::nanoTime,
                    System::currentTimeMillis);
            pool.loops.add(loop);
            pool.threads.add(new Thread(() -> {
                loop.run();
                if (loop.failure() != null) {
                    pool.stop();
                }
            }, name));
        }
        pool.threads.forEach(Thread::start);
        return pool;
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

    /** Whether every thread's consumer has joined the group. */
    public boolean isReady() {
        return joinedWorkers() == size();
    }

    /** How many threads' consumers have joined the group. */
    public int joinedWorkers() {
        return (int) loops.stream().filter(WorkerLoop::hasJoined).count();
    }

    /** The number of worker threads. */
    public int size() {
        return loops.size();
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

    /** Stops gracefully and frees the networks (those of threads that ended). */
    @Override
    public void close() throws InterruptedException {
        stop();
        if (awaitTermination(STOP_TIMEOUT)) {
            classifiers.forEach(FashionClassifier::close);
        }
        clientMeters.close();
    }
}
