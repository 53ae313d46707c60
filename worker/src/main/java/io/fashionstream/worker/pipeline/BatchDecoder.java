package io.fashionstream.worker.pipeline;

import io.fashionstream.core.inference.InferenceEngine;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decodes micro-batches on helper threads so that the worker thread can run the previous batch
 * through the network meanwhile (double buffering: two preallocated buffers, one being filled
 * while the other is classified). With {@code threads} helpers a batch is split into that many
 * ranges decoded side by side; with none, {@link #start} decodes on the caller's thread.
 * Used by one worker thread; at most two batches may be started and not yet released.
 */
public final class BatchDecoder implements AutoCloseable {
    /** One batch in the forward pass, one being decoded. */
    private static final int BUFFERS = 2;

    private final BatchClassifier classifier;
    private final int threads;
    private final ExecutorService executor;
    private final BlockingQueue<float[]> freeBuffers = new ArrayBlockingQueue<>(BUFFERS);

    /**
     * @param threads    helper threads; 0 decodes on the calling thread
     * @param threadName prefix of the helper threads' names
     */
    public BatchDecoder(BatchClassifier classifier, int threads, String threadName) {
        if (threads < 0) {
            throw new IllegalArgumentException("decode threads must not be negative, not " + threads);
        }
        this.classifier = classifier;
        this.threads = threads;
        AtomicInteger index = new AtomicInteger();
        this.executor = threads == 0 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threadName + "-" + index.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < BUFFERS; i++) {
            freeBuffers.add(new float[classifier.maxBatch() * InferenceEngine.PIXELS]);
        }
    }

    /** Starts decoding {@code records} into a free buffer; the caller must {@link Pending#release} it. */
    public Pending start(List<ConsumerRecord<byte[], byte[]>> records) {
        classifier.checkSize(records.size());
        float[] buffer = freeBuffers.poll();
        if (buffer == null) {
            throw new IllegalStateException("both buffers are in use: release a batch before starting another");
        }
        if (executor == null) {
            return new Pending(records, buffer, CompletableFuture.completedFuture(classifier.prepare(records, buffer)));
        }
        PreparedBatch batch = classifier.newBatch(records, buffer);
        int chunk = Math.max(1, (records.size() + threads - 1) / threads);
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (int from = 0; from < records.size() || from == 0; from += chunk) {
            int start = from;
            int end = Math.min(records.size(), from + chunk);
            parts.add(CompletableFuture.runAsync(() -> classifier.decode(batch, start, end), executor));
        }
        CompletableFuture<PreparedBatch> done = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    batch.pack();
                    return batch;
                });
        return new Pending(records, buffer, done);
    }

    /** Stops the helper threads; batches still being decoded are abandoned. */
    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** A batch being decoded, or decoded and not yet released. */
    public final class Pending {
        private final List<ConsumerRecord<byte[], byte[]>> records;
        private final CompletableFuture<PreparedBatch> prepared;
        private float[] buffer;

        private Pending(List<ConsumerRecord<byte[], byte[]>> records, float[] buffer,
                        CompletableFuture<PreparedBatch> prepared) {
            this.records = records;
            this.buffer = buffer;
            this.prepared = prepared;
        }

        public List<ConsumerRecord<byte[], byte[]>> records() {
            return records;
        }

        /** Waits for the decoding to finish; rethrows what went wrong in it, unexpected errors only. */
        public PreparedBatch await() {
            try {
                return prepared.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        }

        /** Gives the buffer back once decoding has stopped writing into it; safe to call twice. */
        public void release() {
            if (buffer == null) {
                return;
            }
            try {
                prepared.join();
            } catch (RuntimeException e) {
                // the decoding failed; the buffer is free all the same
            }
            freeBuffers.add(buffer);
            buffer = null;
        }
    }
}
