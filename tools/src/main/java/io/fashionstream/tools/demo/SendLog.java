package io.fashionstream.tools.demo;

import io.fashionstream.worker.produce.ImageSender;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * When each input of a run was sent, and whether it has been answered, by its key: a fixed
 * prefix and a sequence number ({@code bench-0000042}, {@code item-42}). One long per input in
 * arrays, where a map would keep an entry, a boxed time and two strings per input: the benches
 * share the JVM with the worker they time, and hundreds of thousands of live entries are what
 * its garbage collector would copy at every young pause, into the latency being measured.
 */
public final class SendLog implements ImageSender.SentListener {
    /** {@link #answer} of a key that is not one this log was told of. */
    public static final long NOT_SENT = -1;
    /** {@link #answer} of an input answered before. */
    public static final long ANSWERED_BEFORE = -2;

    private static final int CHUNK_BITS = 16;
    private static final int CHUNK_MASK = (1 << CHUNK_BITS) - 1;
    /** Marks an answered input in its slot, beside the send time (epoch ms, positive). */
    private static final long ANSWERED = Long.MIN_VALUE;
    /** Sequence numbers from here on are refused: the chunk table is indexed by an int. */
    private static final long MAX_SEQUENCE = 1L << 40;

    private final byte[] prefix;
    private long[][] chunks = new long[8][];
    private long size;

    public SendLog(String prefix) {
        this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
    }

    /** Records {@code key}'s send time; a key without this log's prefix and a sequence number is refused. */
    @Override
    public synchronized void sent(String key, long timestampMillis) {
        long seq = sequenceOf(key.getBytes(StandardCharsets.UTF_8));
        if (seq < 0 || seq >= MAX_SEQUENCE || timestampMillis <= 0) {
            throw new IllegalArgumentException("'" + key + "' sent at " + timestampMillis + " is not <prefix><sequence> at a positive time");
        }
        long[] chunk = chunkOf(seq, true);
        if (chunk[slot(seq)] == 0) {
            size++;
        }
        chunk[slot(seq)] = timestampMillis;
    }

    /** Inputs recorded so far. */
    public synchronized long size() {
        return size;
    }

    /** When {@code key} was sent (epoch ms), or {@link #NOT_SENT}. */
    public synchronized long sentAt(String key) {
        long slot = slotValue(sequenceOf(key.getBytes(StandardCharsets.UTF_8)));
        return slot == 0 ? NOT_SENT : slot & ~ANSWERED;
    }

    /**
     * Counts an answer to {@code key}: its send time (epoch ms) the first time,
     * {@link #ANSWERED_BEFORE} after, {@link #NOT_SENT} for a key this log was not told of.
     */
    public synchronized long answer(byte[] key) {
        long seq = sequenceOf(key);
        long slot = slotValue(seq);
        if (slot == 0) {
            return NOT_SENT;
        }
        if ((slot & ANSWERED) != 0) {
            return ANSWERED_BEFORE;
        }
        chunkOf(seq, false)[slot(seq)] = slot | ANSWERED;
        return slot;
    }

    private long slotValue(long seq) {
        long[] chunk = seq < 0 ? null : chunkOf(seq, false);
        return chunk == null ? 0 : chunk[slot(seq)];
    }

    private long[] chunkOf(long seq, boolean create) {
        long index = seq >>> CHUNK_BITS;
        if (index >= chunks.length) {
            if (!create) {
                return null;
            }
            chunks = Arrays.copyOf(chunks, (int) Math.max(index + 1, chunks.length * 2L));
        }
        if (chunks[(int) index] == null && create) {
            chunks[(int) index] = new long[1 << CHUNK_BITS];
        }
        return chunks[(int) index];
    }

    private static int slot(long seq) {
        return (int) (seq & CHUNK_MASK);
    }

    /** The sequence number after the prefix, or -1 when {@code key} is not the prefix and 1-18 digits. */
    private long sequenceOf(byte[] key) {
        if (key == null || key.length <= prefix.length || key.length - prefix.length > 18
                || !Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
            return -1;
        }
        long seq = 0;
        for (int i = prefix.length; i < key.length; i++) {
            int digit = key[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            seq = seq * 10 + digit;
        }
        return seq;
    }
}
