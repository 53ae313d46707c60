package io.fashionstream.worker.batch;

import io.fashionstream.core.image.InvalidImageException;
import io.fashionstream.core.inference.InferenceEngine;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a micro-batch through decode → forward pass → answers ahead of the worker thread: decoding
 * on helper threads, then the forward pass and the answers on a helper of its own, so that the
 * worker thread polls and publishes the previous batch meanwhile (double buffering: two
 * preallocated buffers, one being filled while the other is in the network). With {@code threads}
 * decode helpers a batch is split into that many ranges decoded side by side; with none,
 * {@link #start} decodes on the caller's thread and {@link InFlight#answers} runs the rest there
 * too. Used by one worker thread; at most two batches may be started and not yet released.
 * Touches no Kafka client: those stay on the worker thread.
 * <p>With decode helpers, an input that takes longer than the decode stage's deadline is
 * dead-lettered as {@code decode_timeout} and its batch goes on without it: a decoder that cannot
 * be interrupted keeps its helper thread until it returns, the pool grows by one meanwhile (up to
 * {@link #SPARE_DECODERS} more) so that decoding goes on at the configured width, and what the
 * late decoder finally gives is thrown away. So one record can hold neither the worker thread,
 * nor the other records of its batch, nor the group membership.
 */
public final class StagePipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StagePipeline.class);
    /** One batch in the forward pass, one being decoded. */
    private static final int BUFFERS = 2;
    /** Decode threads beyond the configured ones, for the helpers left behind by decodes past their deadline. */
    static final int SPARE_DECODERS = 8;

    private final DecodeStage decode;
    private final ForwardPassStage forwardPass;
    private final AnswerStage answer;
    private final int maxBatch;
    private final int threads;
    private final ThreadPoolExecutor decoders;
    /** One thread per buffer, each waiting for one batch's decoding to finish or run out of time. */
    private final ExecutorService supervisors;
    /** One thread, so batches pass the network (which is not thread-safe) one at a time, in order. */
    private final ExecutorService forward;
    private final BlockingQueue<float[]> freeBuffers = new ArrayBlockingQueue<>(BUFFERS);
    /** Helpers decoding an input past its deadline, for which the pool has grown. */
    private int stuckHelpers;

    /**
     * @param maxBatch the most inputs one batch may hold: the size of the buffers
     * @param threads  decode helper threads; 0 runs every stage on the calling thread
     * @param owner    the worker thread's name, which the helpers' names end with
     */
    public StagePipeline(DecodeStage decode, ForwardPassStage forwardPass, AnswerStage answer, int maxBatch, int threads,
                         String owner) {
        if (threads < 0) {
            throw new IllegalArgumentException("decode threads must not be negative, not " + threads);
        }
        this.decode = decode;
        this.forwardPass = forwardPass;
        this.answer = answer;
        this.maxBatch = maxBatch;
        this.threads = threads;
        AtomicInteger index = new AtomicInteger();
        this.decoders = threads == 0 ? null : new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "decode-" + owner + "-" + index.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        this.supervisors = threads == 0 ? null : Executors.newFixedThreadPool(BUFFERS, r -> {
            Thread t = new Thread(r, "decode-watch-" + owner);
            t.setDaemon(true);
            return t;
        });
        this.forward = threads == 0 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "forward-" + owner);
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < BUFFERS; i++) {
            freeBuffers.add(new float[maxBatch * InferenceEngine.PIXELS]);
        }
    }

    /** Whether forward passes run on a helper thread, beside the caller's (not with 0 decode threads). */
    public boolean passesOnHelper() {
        return forward != null;
    }

    /** Runs {@code records} through every stage on the calling thread and releases the buffer. */
    public BatchAnswers runNow(List<ConsumerRecord<byte[], byte[]>> records) {
        InFlight batch = start(records);
        try {
            return batch.answers();
        } finally {
            batch.release();
        }
    }

    /** Starts decoding {@code records} into a free buffer; the caller must {@link InFlight#release} it. */
    public InFlight start(List<ConsumerRecord<byte[], byte[]>> records) {
        if (records.size() > maxBatch) {
            throw new IllegalArgumentException(records.size() + " records exceed the max batch of " + maxBatch);
        }
        float[] buffer = freeBuffers.poll();
        if (buffer == null) {
            throw new IllegalStateException("both buffers are in use: release a batch before starting another");
        }
        CompletableFuture<Void> fetched = decode.fetchesReady(records);
        if (decoders == null) {
            fetched.join();
            return new InFlight(records, buffer, CompletableFuture.completedFuture(decode.decodeAll(records, buffer)), null);
        }
        DecodedBatch batch = decode.open(records, buffer);
        int chunk = Math.max(1, (records.size() + threads - 1) / threads);
        // Decoding starts once the batch's images by reference are fetched or given up on (each
        // within the fetch deadline), so that no decode helper waits on a server.
        CompletableFuture<DecodedBatch> decoded = fetched.thenApplyAsync(ready -> {
            for (int from = 0; from < records.size(); from += chunk) {
                submitRange(batch, from, Math.min(records.size(), from + chunk));
            }
            return superviseDecoding(batch, chunk);
        }, supervisors);
        return new InFlight(records, buffer, decoded, decoded.thenApplyAsync(this::forwardAndAnswer, forward));
    }

    /** Starts fetching the images {@code records} refer to, ahead of their batch; says whether any is a reference. */
    public boolean prefetch(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        return decode.prefetch(records);
    }

    private void submitRange(DecodedBatch batch, int from, int to) {
        decoders.execute(() -> {
            int late = decode.decode(batch, from, to);
            for (int i = 0; i < late; i++) {
                resize(-1); // a stuck helper is free again
            }
        });
    }

    /** Widens the decode pool by one for a helper left stuck (at most {@link #SPARE_DECODERS}), or narrows it back. */
    private synchronized void resize(int change) {
        int extra = Math.max(0, Math.min(SPARE_DECODERS, stuckHelpers + change));
        if (extra == stuckHelpers) {
            return;
        }
        stuckHelpers = extra;
        if (change > 0) {
            decoders.setMaximumPoolSize(threads + extra);
            decoders.setCorePoolSize(threads + extra);
        } else {
            decoders.setCorePoolSize(threads + extra);
            decoders.setMaximumPoolSize(threads + extra);
        }
    }

    /**
     * Waits for every input of {@code batch} to be decoded or given up on:
     * an input past the deadline is dead-lettered ({@code decode_timeout}) and the rest of its range
     * handed to another helper. Then packs the batch.
     */
    private DecodedBatch superviseDecoding(DecodedBatch batch, int chunk) {
        long limit = decode.deadline().toNanos();
        long poll = Math.max(1_000_000, Math.min(100_000_000, limit / 4));
        long since = System.nanoTime();
        try {
            while (!batch.awaitSettled(poll)) {
                for (int i : batch.overdue(System.nanoTime(), since, limit)) {
                    ConsumerRecord<byte[], byte[]> r = batch.records().get(i);
                    InvalidImageException late = new InvalidImageException(InvalidImageException.Reason.DECODE_TIMEOUT,
                            "not decoded within the " + decode.deadline().toMillis() + " ms decode deadline");
                    boolean helperStuck = batch.isDecoding(i);
                    if (batch.abandon(i, late)) {
                        if (helperStuck) {
                            resize(+1);
                        }
                        log.warn("decoding {}-{}@{} took over {} ms: dead-lettered as decode_timeout; its helper is"
                                + " left to finish", r.topic(), r.partition(), r.offset(), decode.deadline().toMillis());
                        int from = i - i % chunk;
                        submitRange(batch, from, Math.min(batch.records().size(), from + chunk));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
        batch.pack();
        return batch;
    }

    private BatchAnswers forwardAndAnswer(DecodedBatch batch) {
        return answer.answer(forwardPass.run(batch));
    }

    /** Stops the helper threads; batches still being decoded are abandoned. */
    @Override
    public void close() {
        if (decoders != null) {
            decoders.shutdownNow();
            supervisors.shutdownNow();
            forward.shutdownNow();
        }
    }

    /** A batch being decoded or classified, or done and not yet released. */
    public final class InFlight {
        private final List<ConsumerRecord<byte[], byte[]>> records;
        private final CompletableFuture<DecodedBatch> decoded;
        /** The forward pass and answers on the helper; null where they run on the caller's thread. */
        private final CompletableFuture<BatchAnswers> answers;
        private float[] buffer;

        private InFlight(List<ConsumerRecord<byte[], byte[]>> records, float[] buffer,
                         CompletableFuture<DecodedBatch> decoded, CompletableFuture<BatchAnswers> answers) {
            this.records = records;
            this.buffer = buffer;
            this.decoded = decoded;
            this.answers = answers;
        }

        public List<ConsumerRecord<byte[], byte[]>> records() {
            return records;
        }

        /** Waits for the decoding to finish; rethrows what went wrong in it, unexpected errors only. */
        public DecodedBatch awaitDecoded() {
            return join(decoded);
        }

        /**
         * The batch's answers: waits for its forward pass on the helper, or runs it on the calling
         * thread where decoding ran there; rethrows unexpected errors.
         */
        public BatchAnswers answers() {
            return answers == null ? forwardAndAnswer(awaitDecoded()) : join(answers);
        }

        /**
         * Waits until the batch's answers are ready, without taking them (failures are left for
         * {@link #answers}); returns at once where the forward pass runs on the caller's thread.
         */
        public void awaitAnswers() {
            if (answers != null) {
                try {
                    answers.join();
                } catch (RuntimeException e) {
                    // answers() rethrows it
                }
            }
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
                (answers == null ? decoded : answers).join();
            } catch (RuntimeException e) {
                // a stage failed; the buffer is free all the same
            }
            freeBuffers.add(buffer);
            buffer = null;
        }
    }
}
