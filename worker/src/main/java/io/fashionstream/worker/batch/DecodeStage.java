package io.fashionstream.worker.batch;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.image.InvalidImageException;
import io.fashionstream.core.image.PhotoMeasurements;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.worker.fetch.FetchException;
import io.fashionstream.worker.fetch.FetchStage;
import io.fashionstream.worker.fetch.Fetched;
import io.fashionstream.worker.records.ImageReference;
import io.fashionstream.worker.records.InvalidLabelException;
import io.fashionstream.worker.records.LabelHeader;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The decode stage: reads each input's {@code label} header and decodes and preprocesses its value
 * into its own row of a preallocated buffer, or records why it cannot be classified. Ranges of one
 * batch may be decoded by different threads ({@link StagePipeline}), which also enforces the
 * per-input {@link #deadline()}; thread-safe.
 */
public final class DecodeStage {
    /** What turns one record value into network input: the {@link ImagePreprocessor} in a worker. */
    @FunctionalInterface
    public interface Decoder {
        PhotoMeasurements decode(byte[] value, float[] out, int offset) throws InvalidImageException;
    }

    private final Decoder decoder;
    private final Duration deadline;
    private final FetchStage fetches;
    private final ThreadLocal<float[]> scratch = ThreadLocal.withInitial(() -> new float[InferenceEngine.PIXELS]);

    /** @param deadline how long one input may take to decode before it is dead-lettered as {@code decode_timeout} */
    public DecodeStage(ImagePreprocessor preprocessor, Duration deadline) {
        this(preprocessor::preprocess, deadline, null);
    }

    /** @param fetches fetches images by reference; null: a reference is refused as {@code fetch_forbidden} */
    public DecodeStage(ImagePreprocessor preprocessor, Duration deadline, FetchStage fetches) {
        this(preprocessor::preprocess, deadline, fetches);
    }

    public DecodeStage(Decoder decoder, Duration deadline) {
        this(decoder, deadline, null);
    }

    private DecodeStage(Decoder decoder, Duration deadline, FetchStage fetches) {
        this.decoder = decoder;
        this.deadline = deadline;
        this.fetches = fetches;
    }

    /** Starts fetching the images {@code records} refer to; says whether any of them is a reference. */
    boolean prefetch(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        return fetches != null && fetches.prefetch(records);
    }

    /** Completes when the images {@code records} refer to are fetched or given up on. */
    CompletableFuture<Void> fetchesReady(List<ConsumerRecord<byte[], byte[]>> records) {
        return fetches == null ? CompletableFuture.completedFuture(null) : fetches.ready(records);
    }

    /** How long one input may take to decode. */
    public Duration deadline() {
        return deadline;
    }

    /** An undecoded batch over {@code buffer}, to decode in ranges and then {@link DecodedBatch#pack()}. */
    public DecodedBatch open(List<ConsumerRecord<byte[], byte[]>> records, float[] buffer) {
        return new DecodedBatch(records, buffer);
    }

    /**
     * Decodes the inputs {@code from} (inclusive) to {@code to} (exclusive) of {@code batch} that no
     * other thread has claimed, each into a scratch row first: what it gives is kept only if the
     * input was not abandoned meanwhile. Returns how many it finished after they were abandoned.
     */
    public int decode(DecodedBatch batch, int from, int to) {
        int late = 0;
        batch.startedDecoding();
        float[] row = scratch.get();
        for (int i = from; i < to; i++) {
            if (!batch.claim(i)) {
                continue;
            }
            ConsumerRecord<byte[], byte[]> record = batch.records().get(i);
            FashionClass truth = null;
            PhotoMeasurements measured = PhotoMeasurements.NONE;
            Fetched fetched = null;
            Exception error = null;
            try {
                truth = LabelHeader.read(record.headers());
                fetched = fetched(record);
                measured = decoder.decode(fetched != null ? fetched.bytes() : record.value(), row, 0);
            } catch (InvalidLabelException | InvalidImageException | FetchException e) {
                error = e;
            }
            if (!batch.settle(i, truth, row, measured, fetched, error)) {
                late++;
            }
        }
        return late;
    }

    /** For an image by reference, what was fetched for it; null for an image carried in the record. */
    private Fetched fetched(ConsumerRecord<byte[], byte[]> record) throws FetchException {
        if (!ImageReference.isReference(record)) {
            return null;
        }
        if (fetches == null) {
            throw new FetchException(FetchException.Reason.FETCH_FORBIDDEN, "this worker fetches no image by reference");
        }
        return fetches.valueOf(record);
    }

    /** Decodes all of {@code records} into {@code buffer} on the calling thread, packed. */
    public DecodedBatch decodeAll(List<ConsumerRecord<byte[], byte[]>> records, float[] buffer) {
        DecodedBatch batch = open(records, buffer);
        decode(batch, 0, records.size());
        batch.pack();
        return batch;
    }
}
