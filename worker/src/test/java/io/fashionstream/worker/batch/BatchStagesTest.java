package io.fashionstream.worker.batch;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.Json;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.worker.records.DeadLetters;
import io.fashionstream.worker.testing.RecordSchemas;
import io.fashionstream.worker.testing.TestInputs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decode, forward pass and answers of one batch, on the calling thread, with the shipped simple model. */
class BatchStagesTest {
    private static Dl4jEngine network;
    private static StagePipeline batches;

    @BeforeAll
    static void load() throws Exception {
        network = new Dl4jEngine(TestInputs.simpleModel().network());
        batches = Stages.pipeline(network, 16, 0);
    }

    @AfterAll
    static void close() {
        batches.close();
        network.close();
    }

    @Test
    void answersEveryInputInOrderWithOneForwardPassOverTheGoodOnes() throws Exception {
        List<ConsumerRecord<byte[], byte[]>> in = new ArrayList<>();
        in.add(record(0, "a", TestInputs.png(0), "label", "9"));
        in.add(record(1, "b", new byte[0]));
        in.add(record(2, "c", TestInputs.raw(1), "label", "2", "traceparent", "00-abc-def-01"));
        in.add(record(3, "d", TestInputs.png(2), "label", "shoe"));
        in.add(record(4, null, TestInputs.raw(3)));

        BatchAnswers out = batches.runNow(in);
        checkSchemas(out);

        assertEquals(5, out.records().size());
        assertEquals(List.of("results", "dlq", "results", "dlq", "results"),
                out.records().stream().map(ProducerRecord::topic).toList());
        assertEquals(3, out.classifiedCount());

        JsonNode a = json(out.records().get(0));
        assertEquals("a", a.get("id").asText());
        assertEquals(TestInputs.expectedLabel(network, TestInputs.png(0)), a.get("label").asInt());
        assertEquals(9, a.get("truth").asInt());
        assertEquals(3, a.get("batchSize").asInt(), "the three good inputs shared one forward pass");
        assertEquals(0, a.get("offset").asLong());
        assertEquals(4000.0, a.get("latencyMs").asDouble(), "record timestamp 1000, clock 5000");
        assertEquals("simple", a.get("model").asText());
        assertEquals("v1", a.get("modelVersion").asText());
        assertEquals(10, a.get("scores").size());

        ProducerRecord<byte[], byte[]> c = out.records().get(2);
        assertEquals("00-abc-def-01", header(c.headers(), "traceparent"), "headers travel with the result");
        assertEquals(TestInputs.expectedLabel(network, TestInputs.raw(1)), json(c).get("label").asInt());

        JsonNode e = json(out.records().get(4));
        assertTrue(e.get("id").isNull(), "a null key gives a null id");
        assertFalse(e.has("truth"), "no label header, no truth");
    }

    @Test
    void unsureAnswersAlsoGoToReviewRightAfterTheirResultWithTheirCoordinatesAndTopClasses() throws Exception {
        int reviewed = 0;
        int sure = 0;
        for (int from = 0; from < 400 && (reviewed < 2 || sure < 2); from += 16) {
            List<ConsumerRecord<byte[], byte[]>> in = new ArrayList<>();
            for (int i = from; i < from + 16; i++) {
                in.add(record(i, "k" + i, TestInputs.raw(i), "label", Integer.toString(TestInputs.label(i))));
            }
            BatchAnswers out = batches.runNow(in);
            checkSchemas(out);
            for (Answer answer : out.answers()) {
                JsonNode result = json(answer.output());
                boolean unsure = result.get("confidence").asDouble() < Stages.REVIEW.threshold();
                assertEquals(unsure, result.get("review").asBoolean(), "the result says whether it went for review");
                assertEquals(unsure, answer.review() != null);
                assertEquals(3, result.get("top").size());
                assertEquals(result.get("label").asInt(), result.get("top").get(0).get("label").asInt());
                if (!unsure) {
                    sure++;
                    assertEquals(List.of(answer.output()), answer.outputs());
                    continue;
                }
                reviewed++;
                assertEquals(List.of(answer.output(), answer.review()), answer.outputs(),
                        "published right after its result, in the same unit");
                assertEquals("review", answer.review().topic());
                assertArrayEquals(answer.source().key(), answer.review().key());
                JsonNode review = json(answer.review());
                assertEquals(answer.source().topic(), review.get("source").get("topic").asText());
                assertEquals(answer.source().partition(), review.get("source").get("partition").asInt());
                assertEquals(answer.source().offset(), review.get("source").get("offset").asLong());
                assertEquals(result.get("confidence").asDouble(), review.get("confidence").asDouble(), 1e-6);
                assertEquals(result.get("top"), review.get("top"));
                assertEquals(Stages.REVIEW.threshold(), review.get("threshold").asDouble());
                assertEquals(answer.truth().ordinal(), review.get("truth").asInt());
            }
        }
        assertTrue(reviewed >= 2 && sure >= 2, reviewed + " reviewed, " + sure + " sure");
    }

    @Test
    void deadLettersKeepTheOriginalBytesAndHeadersAndSayWhy() {
        byte[] garbage = TestInputs.randomBytes(500, 1);
        ConsumerRecord<byte[], byte[]> bad = record(7, "z", garbage, "label", "3", "traceparent", "t");
        ProducerRecord<byte[], byte[]> dead = batches.runNow(List.of(bad)).records().get(0);

        assertEquals("dlq", dead.topic());
        assertArrayEquals("z".getBytes(StandardCharsets.UTF_8), dead.key());
        assertArrayEquals(garbage, dead.value());
        assertEquals("3", header(dead.headers(), "label"));
        assertEquals("t", header(dead.headers(), "traceparent"));
        assertEquals("io.fashionstream.core.image.InvalidImageException", header(dead.headers(), DeadLetters.ERROR_CLASS));
        assertEquals("unknown_format", header(dead.headers(), DeadLetters.ERROR_REASON));
        assertTrue(header(dead.headers(), DeadLetters.ERROR_MESSAGE).contains("not a JPEG, PNG"));
        assertEquals("in", header(dead.headers(), DeadLetters.SOURCE_TOPIC));
        assertEquals("0", header(dead.headers(), DeadLetters.SOURCE_PARTITION));
        assertEquals("7", header(dead.headers(), DeadLetters.SOURCE_OFFSET));
    }

    /** The input topic is untrusted: no input header can pass for one of the worker's own, in a result or a dead letter. */
    @Test
    void spoofedWorkerHeadersAreDroppedAndResultsCarryOnlyTheAllowedOnes() {
        ConsumerRecord<byte[], byte[]> good = record(3, "g", TestInputs.png(0), "traceparent", "00-abc-def-01",
                "x-internal-route", "admin", "fashion.model", "spoofed", "FASHION.error.reason", "spoofed");
        ConsumerRecord<byte[], byte[]> bad = record(4, "b", TestInputs.randomBytes(500, 2), "fashion.error.reason", "ok",
                "fashion.source.offset", "999", "x-internal-route", "admin");
        List<ProducerRecord<byte[], byte[]>> out = batches.runNow(List.of(good, bad)).records();

        Headers result = out.get(0).headers();
        assertEquals(List.of("traceparent"), keys(result), "only the allowed headers travel with a result");

        Headers dead = out.get(1).headers();
        assertEquals(1, count(dead, DeadLetters.ERROR_REASON), "only the worker's own reason");
        assertEquals("unknown_format", header(dead, DeadLetters.ERROR_REASON));
        assertEquals(1, count(dead, DeadLetters.SOURCE_OFFSET));
        assertEquals("4", header(dead, DeadLetters.SOURCE_OFFSET));
        assertEquals("admin", header(dead, "x-internal-route"), "a dead letter keeps the input's other headers");
    }

    @Test
    void aDeadLettersMessageIsOneLineWhateverTheInputHeld() {
        ConsumerRecord<byte[], byte[]> bad = record(0, "k", TestInputs.png(5), "label", "coat\r\nfashion.error.reason: ok");
        ProducerRecord<byte[], byte[]> dead = batches.runNow(List.of(bad)).records().get(0);
        String message = header(dead.headers(), DeadLetters.ERROR_MESSAGE);
        assertEquals("invalid_label", header(dead.headers(), DeadLetters.ERROR_REASON));
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains("coat\\r\\nfashion.error.reason: ok"), message);
    }

    @Test
    void eachKindOfBadInputHasItsReason() {
        List<ConsumerRecord<byte[], byte[]>> in = List.of(
                record(0, "k", TestInputs.truncatedPng()),
                record(1, "k", new byte[0]),
                record(2, "k", new byte[783]),
                record(3, "k", TestInputs.pngClaiming(50_000, 50_000)),
                record(4, "k", TestInputs.png(5), "label", "eleven"));
        List<String> reasons = batches.runNow(in).records().stream()
                .map(r -> header(r.headers(), DeadLetters.ERROR_REASON)).toList();
        assertEquals(List.of("undecodable", "empty", "unknown_format", "too_many_pixels", "invalid_label"), reasons);
    }

    /** Every record a batch publishes matches its published JSON Schema. */
    static void checkSchemas(BatchAnswers out) {
        for (ProducerRecord<byte[], byte[]> r : out.records()) {
            switch (r.topic()) {
                case "results" -> RecordSchemas.RESULT.check(r.value());
                case "review" -> RecordSchemas.REVIEW.check(r.value());
                case "dlq" -> RecordSchemas.checkDeadLetter(r.headers());
                default -> throw new AssertionError("unexpected topic " + r.topic());
            }
        }
    }

    static ConsumerRecord<byte[], byte[]> record(long offset, String key, byte[] value, String... headers) {
        Headers h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>("in", 0, offset, 1000L, TimestampType.CREATE_TIME, -1, value.length,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, h, Optional.empty());
    }

    private static JsonNode json(ProducerRecord<byte[], byte[]> r) throws Exception {
        return Json.MAPPER.readTree(r.value());
    }

    private static List<String> keys(Headers headers) {
        List<String> keys = new java.util.ArrayList<>();
        headers.forEach(h -> keys.add(h.key()));
        return keys;
    }

    private static long count(Headers headers, String key) {
        return java.util.stream.StreamSupport.stream(headers.headers(key).spliterator(), false).count();
    }

    private static String header(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
