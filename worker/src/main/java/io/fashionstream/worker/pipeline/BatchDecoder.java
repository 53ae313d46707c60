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
 * Runs micro-batches ahead of the worker thread: decoding on helper threads, then the forward
 * pass on a helper of its own, so that the worker thread polls and publishes the previous batch
 * meanwhile (double buffering: two preallocated buffers, one being filled while the other is in
 * the network). With {@code threads} decode helpers a batch is split into that many ranges
 * decoded side by side; with none, {@link #start} decodes on the caller's thread and
 * {@link Pending#output} runs the forward pass there too. Used by one worker thread; at most two
 * batches may be started and not yet released. Touches no Kafka client: those stay on the
 * worker thread.
 */
public final class BatchDecoder implements AutoCloseable {
    /** One batch in the forward pass, one being decoded. */
    private static final int BUFFERS = 2;

    private final BatchClassifier classifier;
    private final int threads;
    private final ExecutorService executor;
    /** One thread, so batches pass the network (which is not thread-safe) one at a time, in order. */
    private final ExecutorService forward;
    private final BlockingQueue<float[]> freeBuffers = new ArrayBlockingQueue<>(BUFFERS);

    /**
     * @param threads decode helper threads; 0 decodes and classifies on the calling thread
     * @param owner   the worker thread's name, which the helpers' names end with
     */
    public BatchDecoder(BatchClassifier classifier, int threads, String owner) {
        if (threads < 0) {
            throw new IllegalArgumentException("decode threads must not be negative, not " + threads);
        }
        this.classifier = classifier;
        this.threads = threads;
        AtomicInteger index = new AtomicInteger();
        this.executor = threads == 0 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "decode-" + owner + "-" + index.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        this.forward = threads == 0 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "forward-" + owner);
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
            return new Pending(records, buffer, CompletableFuture.completedFuture(classifier.prepare(records, buffer)), null);
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
        return new Pending(records, buffer, done, done.thenApplyAsync(classifier::classify, forward));
    }

    /** Stops the helper threads; batches still being decoded are abandoned. */
    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            forward.shutdownNow();
        }
    }

    /** A batch being decoded or classified, or done and not yet released. */
    public final class Pending {
        private final List<ConsumerRecord<byte[], byte[]>> records;
        private final CompletableFuture<PreparedBatch> prepared;
        /** The forward pass on the helper; null where it runs on the caller's thread. */
        private final CompletableFuture<BatchOutput> output;
        private float[] buffer;

        private Pending(List<ConsumerRecord<byte[], byte[]>> records, float[] buffer,
                        CompletableFuture<PreparedBatch> prepared, CompletableFuture<BatchOutput> output) {
            this.records = records;
            this.buffer = buffer;
            this.prepared = prepared;
            this.output = output;
        }

        public List<ConsumerRecord<byte[], byte[]>> records() {
            return records;
        }

        /** Waits for the decoding to finish; rethrows what went wrong in it, unexpected errors only. */
        public PreparedBatch await() {
            return join(prepared);
        }

        /**
         * The batch's answers: waits for its forward pass on the helper, or runs it on the calling
         * thread where decoding ran there; rethrows unexpected errors.
         */
        public BatchOutput output() {
            return output == null ? classifier.classify(await()) : join(output);
        }

        private <T> T join(CompletableFuture<T> future) {
            try {
                return future.join();
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

        /** Gives the buffer back once decoding and the forward pass have stopped using it; safe to call twice. */
        public void release() {
            if (buffer == null) {
                return;
            }
            try {
                (output == null ? prepared : output).join();
            } catch (RuntimeException e) {
                // the decoding failed; the buffer is free all the same
            }
            freeBuffers.add(buffer);
            buffer = null;
        }
    }
}
