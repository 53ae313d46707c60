package io.fashionstream.worker.batch;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.image.PhotoMeasurements;
import io.fashionstream.worker.fetch.Fetched;
import io.fashionstream.core.inference.InferenceEngine;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One micro-batch after the {@link DecodeStage}: the good inputs' pixels packed row after row at
 * the front of one preallocated buffer, and for each input either its row and label or why it
 * cannot be classified. Each input is decoded once, by whichever thread claims it first
 * ({@link #claim}); its outcome is kept only if it settles before it is abandoned for taking too
 * long ({@link #settle}, {@link #abandon}), so a late decoder never writes into a buffer the batch
 * has moved on from. Input {@code i} goes into row {@code i}; {@link #pack()} then closes the gaps
 * the bad ones left.
 */
public final class DecodedBatch {
    private final List<ConsumerRecord<byte[], byte[]>> records;
    private final float[] pixels;
    private final FashionClass[] truths;
    private final PhotoMeasurements[] measured;
    private final Fetched[] fetched;
    private final Exception[] errors;
    private final int[] rows;
    private static final int PENDING = 0;
    private static final int DECODING = 1;
    private static final int SETTLED = 2;
    private static final int ABANDONED = 3;
    private final AtomicIntegerArray states;
    private final AtomicLongArray claimedAtNanos;
    private final CountDownLatch unsettled;
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
        this.measured = new PhotoMeasurements[records.size()];
        this.fetched = new Fetched[records.size()];
        this.errors = new Exception[records.size()];
        this.rows = new int[records.size()];
        this.states = new AtomicIntegerArray(records.size());
        this.claimedAtNanos = new AtomicLongArray(records.size());
        this.unsettled = new CountDownLatch(records.size());
    }

    void startedDecoding() {
        decodeStartNanos.compareAndSet(0, System.nanoTime());
    }

    /** Takes input {@code i} to decode; false when another thread has it, or it was abandoned. */
    boolean claim(int i) {
        if (!states.compareAndSet(i, PENDING, DECODING)) {
            return false;
        }
        claimedAtNanos.set(i, System.nanoTime());
        return true;
    }

    /**
     * Keeps what decoding input {@code i} gave: its label, what its conversion measured and its
     * pixels (copied from {@code decoded}), or its error. False, and nothing written, when it was
     * abandoned meanwhile.
     */
    boolean settle(int i, FashionClass truth, float[] decoded, PhotoMeasurements measurements, Fetched fetch,
                   Exception error) {
        if (!states.compareAndSet(i, DECODING, SETTLED)) {
            return false;
        }
        truths[i] = truth;
        measured[i] = measurements;
        fetched[i] = fetch;
        if (error != null) {
            errors[i] = error;
        } else {
            System.arraycopy(decoded, 0, pixels, i * InferenceEngine.PIXELS, InferenceEngine.PIXELS);
        }
        unsettled.countDown();
        return true;
    }

    /**
     * The inputs to give up on now: claimed more than {@code limitNanos} ago, or never claimed
     * though the batch has waited {@code 2 * limitNanos} for them (every decoder busy elsewhere).
     */
    List<Integer> overdue(long nowNanos, long waitingSinceNanos, long limitNanos) {
        List<Integer> late = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            int state = states.get(i);
            if ((state == DECODING && nowNanos - claimedAtNanos.get(i) > limitNanos)
                    || (state == PENDING && nowNanos - waitingSinceNanos > 2 * limitNanos)) {
                late.add(i);
            }
        }
        return late;
    }

    /** Whether a helper is decoding input {@code i} now. */
    boolean isDecoding(int i) {
        return states.get(i) == DECODING;
    }

    /** Gives up on input {@code i} with {@code why}; false when it settled first. */
    boolean abandon(int i, Exception why) {
        if (!states.compareAndSet(i, DECODING, ABANDONED) && !states.compareAndSet(i, PENDING, ABANDONED)) {
            return false;
        }
        errors[i] = why;
        unsettled.countDown();
        return true;
    }

    /** Waits up to {@code nanos} for every input to settle or be abandoned; true when all have. */
    boolean awaitSettled(long nanos) throws InterruptedException {
        return unsettled.await(nanos, TimeUnit.NANOSECONDS);
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

    /** What converting input {@code i}'s photo measured; {@link PhotoMeasurements#NONE} when nothing was. */
    PhotoMeasurements measured(int i) {
        return measured[i] == null ? PhotoMeasurements.NONE : measured[i];
    }

    /** What was fetched for input {@code i}, an image by reference; null for one carried in its record. */
    Fetched fetched(int i) {
        return fetched[i];
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
