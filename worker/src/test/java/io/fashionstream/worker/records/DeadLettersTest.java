package io.fashionstream.worker.records;

import io.fashionstream.core.Sha256;
import io.fashionstream.core.image.InvalidImageException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLettersTest {
    private static final int LIMIT = 64 * 1024;
    private final DeadLetters deadLetters = new DeadLetters("dlq", LIMIT);
    private final Exception tooLarge = new InvalidImageException(InvalidImageException.Reason.TOO_LARGE, "value too large");

    @Test
    void aValueThatFitsTravelsWholeWithTheInputsHeaders() {
        byte[] value = bytes(10_000);
        ProducerRecord<byte[], byte[]> dead = deadLetters.of(source(value, "origin", "test"), tooLarge);
        assertEquals("dlq", dead.topic());
        assertArrayEquals(value, dead.value());
        assertEquals("test", header(dead, "origin"));
        assertEquals("too_large", header(dead, DeadLetters.ERROR_REASON));
        assertNull(header(dead, DeadLetters.VALUE_TRUNCATED));
    }

    @Test
    void aValueTooLargeForTheTopicIsCutToWhatFitsAndTheHeadersSaySo() {
        byte[] value = bytes(3 * LIMIT);
        ProducerRecord<byte[], byte[]> dead = deadLetters.of(source(value, "origin", "test"), tooLarge);
        assertTrue(dead.value().length > LIMIT / 2, "keeps as much as fits: " + dead.value().length);
        assertTrue(DeadLetters.sizeWithoutValue(dead.key(), dead.headers()) + dead.value().length <= LIMIT,
                "the whole record fits the limit");
        assertArrayEquals(Arrays.copyOf(value, dead.value().length), dead.value(), "the original's first bytes");
        assertEquals("true", header(dead, DeadLetters.VALUE_TRUNCATED));
        assertEquals(Integer.toString(value.length), header(dead, DeadLetters.VALUE_SIZE));
        assertEquals(Sha256.hex(value), header(dead, DeadLetters.VALUE_SHA256));
        assertEquals("images", header(dead, DeadLetters.SOURCE_TOPIC));
        assertEquals("3", header(dead, DeadLetters.SOURCE_PARTITION));
        assertEquals("42", header(dead, DeadLetters.SOURCE_OFFSET));
    }

    @Test
    void headersThatFillTheRecordLeaveNoRoomForTheValue() {
        String big = "x".repeat(LIMIT);
        ProducerRecord<byte[], byte[]> dead = deadLetters.of(source(bytes(100), "big", big), tooLarge);
        assertEquals(0, dead.value().length);
        assertEquals("100", header(dead, DeadLetters.VALUE_SIZE));
    }

    @Test
    void aMinimalDeadLetterKeepsOnlyWhatSaysWhatHappened() {
        byte[] value = bytes(5000);
        byte[] key = new byte[4096];
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("images", 3, 42, 0L, TimestampType.CREATE_TIME,
                -1, -1, key, value, headers("origin", "test", "big", "y".repeat(100_000)), Optional.empty());
        Exception refused = new PublishRefusedException("Kafka refused its result",
                new org.apache.kafka.common.errors.RecordTooLargeException("too large"));
        ProducerRecord<byte[], byte[]> dead = deadLetters.minimal(source, refused);
        assertEquals(0, dead.value().length);
        assertEquals(1024, dead.key().length);
        assertNull(header(dead, "origin"));
        assertEquals("2", header(dead, DeadLetters.HEADERS_DROPPED));
        assertEquals("publish_refused", header(dead, DeadLetters.ERROR_REASON));
        assertEquals("org.apache.kafka.common.errors.RecordTooLargeException", header(dead, DeadLetters.ERROR_CLASS),
                "a refusal names the Kafka error");
        assertTrue(header(dead, DeadLetters.ERROR_MESSAGE).contains("RecordTooLargeException: too large"));
        assertEquals(Sha256.hex(value), header(dead, DeadLetters.VALUE_SHA256));
    }

    @Test
    void aLimitTooSmallForAnyDeadLetterIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DeadLetters("dlq", 100));
    }

    private static ConsumerRecord<byte[], byte[]> source(byte[] value, String... headers) {
        return new ConsumerRecord<>("images", 3, 42, 0L, TimestampType.CREATE_TIME, -1, -1,
                "item".getBytes(StandardCharsets.UTF_8), value, headers(headers), Optional.empty());
    }

    private static RecordHeaders headers(String... pairs) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.add(pairs[i], pairs[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
