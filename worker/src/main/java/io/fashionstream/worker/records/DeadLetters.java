package io.fashionstream.worker.records;

import io.fashionstream.core.Sha256;
import io.fashionstream.core.Printable;
import io.fashionstream.core.image.InvalidImageException;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.worker.fetch.FetchException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Dead-letter records (docs/design.md, "Dead-letter record"): the input's key, value and headers
 * (less any in the worker's own {@code fashion.} namespace, {@link CopiedHeaders}), plus headers
 * saying what went wrong, on one line, and where the input came from. Every dead letter fits the
 * largest record the dead-letter topic and the producer accept: a value that would not is cut
 * to the bytes that fit (possibly none), and {@link #VALUE_TRUNCATED}, {@link #VALUE_SIZE} and
 * {@link #VALUE_SHA256} say so, while the {@code fashion.source.*} coordinates still find the
 * original in the input topic. Thread-safe.
 */
public final class DeadLetters {
    public static final String ERROR_CLASS = "fashion.error.class";
    public static final String ERROR_MESSAGE = "fashion.error.message";
    /** Short machine-readable cause, the same value as the metric's {@code reason} tag. */
    public static final String ERROR_REASON = "fashion.error.reason";
    public static final String SOURCE_TOPIC = "fashion.source.topic";
    public static final String SOURCE_PARTITION = "fashion.source.partition";
    public static final String SOURCE_OFFSET = "fashion.source.offset";
    /** {@code true} when the value is not the whole original (only present then). */
    public static final String VALUE_TRUNCATED = "fashion.value.truncated";
    /** The original value's size in bytes, when truncated. */
    public static final String VALUE_SIZE = "fashion.value.size";
    /** The original value's SHA-256 (lowercase hex), when truncated. */
    public static final String VALUE_SHA256 = "fashion.value.sha256";
    /** How many of the input's own headers were left out of a minimal dead letter. */
    public static final String HEADERS_DROPPED = "fashion.headers.dropped";

    /** Kafka's own default for a topic's max.message.bytes (the broker's message.max.bytes). */
    public static final int KAFKA_DEFAULT_MAX_RECORD_BYTES = 1_048_588;
    /** Room kept for the record batch and record framing, over what the keys, values and headers take. */
    static final int FRAMING_BYTES = 1024;
    private static final int PER_HEADER_FRAMING = 10;
    private static final int MAX_MESSAGE_CHARS = 1000;
    private static final int MINIMAL_KEY_BYTES = 1024;

    private final String topic;
    private final int maxRecordBytes;

    /**
     * @param topic          the dead-letter topic
     * @param maxRecordBytes the largest record it and the producer accept (the smaller of the
     *                       topic's {@code max.message.bytes} and the producer's {@code max.request.size})
     */
    public DeadLetters(String topic, int maxRecordBytes) {
        if (maxRecordBytes < 2 * FRAMING_BYTES) {
            throw new IllegalArgumentException("a dead-letter record must be allowed at least " + 2 * FRAMING_BYTES
                    + " bytes, not " + maxRecordBytes);
        }
        this.topic = topic;
        this.maxRecordBytes = maxRecordBytes;
    }

    public String topic() {
        return topic;
    }

    /** The dead letter for {@code source}, rejected because of {@code error}. */
    public ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> source, Exception error) {
        Headers headers = CopiedHeaders.forDeadLetter(source.headers());
        describe(headers, source, error);
        return withValueThatFits(source, headers);
    }

    /**
     * The smallest dead letter that still says what happened: an empty value (with the original's
     * size and SHA-256), none of the input's own headers and at most 1 KiB of its key. For an input
     * whose ordinary dead letter Kafka refuses too, e.g. because of its headers.
     */
    public ProducerRecord<byte[], byte[]> minimal(ConsumerRecord<byte[], byte[]> source, Exception error) {
        Headers headers = new RecordHeaders();
        describe(headers, source, error);
        add(headers, HEADERS_DROPPED, Integer.toString(source.headers().toArray().length));
        byte[] key = source.key() == null || source.key().length <= MINIMAL_KEY_BYTES
                ? source.key() : Arrays.copyOf(source.key(), MINIMAL_KEY_BYTES);
        byte[] value = source.value() == null ? null : new byte[0];
        if (source.value() != null) {
            markTruncated(headers, source.value());
        }
        return new ProducerRecord<>(topic, null, key, value, headers);
    }

    private void describe(Headers headers, ConsumerRecord<byte[], byte[]> source, Exception error) {
        add(headers, ERROR_CLASS, errorClass(error).getName());
        add(headers, ERROR_MESSAGE, abbreviate(Printable.oneLine(message(error))));
        add(headers, ERROR_REASON, reason(error));
        add(headers, SOURCE_TOPIC, source.topic());
        add(headers, SOURCE_PARTITION, Integer.toString(source.partition()));
        add(headers, SOURCE_OFFSET, Long.toString(source.offset()));
    }

    private ProducerRecord<byte[], byte[]> withValueThatFits(ConsumerRecord<byte[], byte[]> source, Headers headers) {
        byte[] value = source.value();
        long others = sizeWithoutValue(source.key(), headers);
        if (value == null || others + value.length <= maxRecordBytes) {
            return new ProducerRecord<>(topic, null, source.key(), value, headers);
        }
        markTruncated(headers, value);
        long room = maxRecordBytes - sizeWithoutValue(source.key(), headers);
        byte[] kept = Arrays.copyOf(value, (int) Math.max(0, Math.min(value.length, room)));
        return new ProducerRecord<>(topic, null, source.key(), kept, headers);
    }

    /** An upper bound of a record's size without its value: key, headers and framing. */
    static long sizeWithoutValue(byte[] key, Headers headers) {
        long size = FRAMING_BYTES + (key == null ? 0 : key.length);
        for (Header h : headers) {
            size += h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length)
                    + PER_HEADER_FRAMING;
        }
        return size;
    }

    private static void markTruncated(Headers headers, byte[] value) {
        add(headers, VALUE_TRUNCATED, "true");
        add(headers, VALUE_SIZE, Integer.toString(value.length));
        add(headers, VALUE_SHA256, Sha256.hex(value));
    }

    /**
     * Why an input was rejected, in a few fixed words: the image rejection reasons
     * ({@code empty}, {@code too_large}, {@code too_many_pixels}, {@code unknown_format},
     * {@code undecodable}), the fetch reasons of an image by reference ({@code fetch_forbidden},
     * {@code fetch_failed}, {@code fetch_timeout}, {@code fetch_too_large}), {@code invalid_label},
     * {@code inference_failed} or {@code publish_refused} (Kafka kept refusing its result).
     */
    public static String reason(Exception error) {
        if (error instanceof InvalidImageException image) {
            return image.reason().name().toLowerCase(Locale.ROOT);
        }
        if (error instanceof FetchException fetch) {
            return fetch.reason().label();
        }
        if (error instanceof InvalidLabelException) {
            return "invalid_label";
        }
        if (error instanceof InferenceException) {
            return "inference_failed";
        }
        if (error instanceof PublishRefusedException) {
            return "publish_refused";
        }
        return "other";
    }

    /** A refusal is reported as the Kafka error behind it, which is what an operator searches for. */
    private static Class<?> errorClass(Exception error) {
        return error instanceof PublishRefusedException && error.getCause() != null
                ? error.getCause().getClass() : error.getClass();
    }

    private static String message(Exception error) {
        return String.valueOf(error.getMessage());
    }

    private static void add(Headers headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
