package io.fashionstream.worker.pipeline;

import io.fashionstream.core.image.InvalidImageException;
import io.fashionstream.core.inference.InferenceException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Dead-letter records (DESIGN.md, "Dead-letter record"): the input's key, value and headers,
 * untouched, plus headers saying what went wrong and where the input came from.
 */
public final class DeadLetters {
    public static final String ERROR_CLASS = "fashion.error.class";
    public static final String ERROR_MESSAGE = "fashion.error.message";
    /** Short machine-readable cause, the same value as the metric's {@code reason} tag. */
    public static final String ERROR_REASON = "fashion.error.reason";
    public static final String SOURCE_TOPIC = "fashion.source.topic";
    public static final String SOURCE_PARTITION = "fashion.source.partition";
    public static final String SOURCE_OFFSET = "fashion.source.offset";

    private static final int MAX_MESSAGE_CHARS = 1000;

    private DeadLetters() {
    }

    /** The dead letter for {@code source}, rejected because of {@code error}. */
    public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> source, String topic, Exception error) {
        Headers headers = new RecordHeaders(source.headers().toArray());
        add(headers, ERROR_CLASS, error.getClass().getName());
        add(headers, ERROR_MESSAGE, abbreviate(String.valueOf(error.getMessage())));
        add(headers, ERROR_REASON, reason(error));
        add(headers, SOURCE_TOPIC, source.topic());
        add(headers, SOURCE_PARTITION, Integer.toString(source.partition()));
        add(headers, SOURCE_OFFSET, Long.toString(source.offset()));
        return new ProducerRecord<>(topic, null, source.key(), source.value(), headers);
    }

    /**
     * Why an input was rejected, in a few fixed words: the image rejection reasons
     * ({@code empty}, {@code too_large}, {@code too_many_pixels}, {@code unknown_format},
     * {@code undecodable}), {@code invalid_label} or {@code inference_failed}.
     */
    public static String reason(Exception error) {
        if (error instanceof InvalidImageException image) {
            return image.reason().name().toLowerCase(Locale.ROOT);
        }
        if (error instanceof InvalidLabelException) {
            return "invalid_label";
        }
        if (error instanceof InferenceException) {
            return "inference_failed";
        }
        return "other";
    }

    private static void add(Headers headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
