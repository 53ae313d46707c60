package io.fashionstream.worker.batch;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.InferenceEngine;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One micro-batch after the {@link DecodeStage}: the good inputs' pixels packed row after row at
 * the front of one preallocated buffer, and for each input either its row and label or why it
 * cannot be classified. Decoding writes input {@code i} into row {@code i}, so disjoint ranges of
 * inputs can be decoded by different threads; {@link #pack()} then closes the gaps the bad ones left.
 */
public final class DecodedBatch {
    private final List<ConsumerRecord<byte[], byte[]>> records;
    private final float[] pixels;
    private final FashionClass[] truths;
    private final Exception[] errors;
    private final int[] rows;
    /** When the first range started decoding; 0 before. */
    private final AtomicLong decodeStartNanos = new AtomicLong();
    private long decodeNanos;
    private int good = -1;

    DecodedBatch(List<ConsumerRecord<byte[], byte[]>> records, float[] pixels) {
        if ((long) records.size() * InferenceEngine.PIXELS > pixels.length) {
            throw new IllegalArgumentException(records.size() + " records do not fit a buffer of "
                    + pixels.length / InferenceEngine.PIXELS + " images");
        }
        this.records = records;
        this.pixels = pixels;
        this.truths = new FashionClass[records.size()];
        this.errors = new Exception[records.size()];
        this.rows = new int[records.size()];
    }

    void startedDecoding() {
        decodeStartNanos.compareAndSet(0, System.nanoTime());
    }

    void labelled(int i, FashionClass truth) {
        truths[i] = truth;
    }

    void fail(int i, Exception e) {
        errors[i] = e;
    }

    /** Moves the good inputs' rows together at the front, in input order; call once, after decoding. */
    public void pack() {
        int next = 0;
        for (int i = 0; i < records.size(); i++) {
            if (errors[i] != null) {
                continue;
            }
            if (next != i) {
                System.arraycopy(pixels, i * InferenceEngine.PIXELS, pixels, next * InferenceEngine.PIXELS,
                        InferenceEngine.PIXELS);
            }
            rows[i] = next++;
        }
        good = next;
        long start = decodeStartNanos.get();
        decodeNanos = start == 0 ? 0 : System.nanoTime() - start;
    }

    /** Time from the start of decoding to the end of packing (waiting for a decode thread not included). */
    long decodeNanos() {
        return decodeNanos;
    }

    public List<ConsumerRecord<byte[], byte[]>> records() {
        return records;
    }

    int size() {
        return records.size();
    }

    float[] pixels() {
        return pixels;
    }

    /** How many inputs decoded: the rows of the forward pass. */
    int goodCount() {
        if (good < 0) {
            throw new IllegalStateException("batch not packed yet");
        }
        return good;
    }

    /** The input's row in the packed buffer; only for inputs without an error. */
    int row(int i) {
        return rows[i];
    }

    FashionClass truth(int i) {
        return truths[i];
    }

    Exception error(int i) {
        return errors[i];
    }

    /** Marks every still-good input as failed with {@code e}, e.g. when the forward pass fails. */
    void failRemaining(Exception e) {
        for (int i = 0; i < errors.length; i++) {
            if (errors[i] == null) {
                errors[i] = e;
            }
        }
    }
}
