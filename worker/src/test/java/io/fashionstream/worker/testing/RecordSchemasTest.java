package io.fashionstream.worker.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fashionstream.core.Json;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.worker.records.ClassificationResult;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** The schema checks the tests rely on accept the worker's records and catch what breaks the contract. */
class RecordSchemasTest {
    private static final float[] SCORES = {0.01f, 0, 0, 0, 0, 0.02f, 0, 0.07f, 0, 0.9f};

    @Test
    void aResultMatchesAndAChangedOneDoesNot() throws Exception {
        byte[] value = ClassificationResult.of("a", Prediction.fromScores(SCORES), 3, false, "simple", "v", 0, 1, 1, 2.0,
                null).toJsonBytes();
        RecordSchemas.RESULT.check(value);
        ObjectNode withoutTop = (ObjectNode) Json.MAPPER.readTree(value);
        withoutTop.remove("top");
        assertThrows(AssertionError.class, () -> RecordSchemas.RESULT.check(withoutTop));
        ObjectNode unknownField = (ObjectNode) Json.MAPPER.readTree(value);
        unknownField.put("extra", 1);
        assertThrows(AssertionError.class, () -> RecordSchemas.RESULT.check(unknownField));
        ObjectNode truthWithoutCorrect = (ObjectNode) Json.MAPPER.readTree(value);
        truthWithoutCorrect.put("truth", 3);
        assertThrows(AssertionError.class, () -> RecordSchemas.RESULT.check(truthWithoutCorrect));
    }

    @Test
    void deadLetterHeadersMayNotCarryUnknownWorkerHeaders() {
        RecordHeaders headers = new RecordHeaders();
        for (String[] h : new String[][]{{"fashion.error.class", "InvalidImageException"},
                {"fashion.error.message", "empty"}, {"fashion.error.reason", "empty"}, {"fashion.source.topic", "in"},
                {"fashion.source.partition", "0"}, {"fashion.source.offset", "7"}, {"traceparent", "00-a-b-01"}}) {
            headers.add(h[0], h[1].getBytes(StandardCharsets.UTF_8));
        }
        RecordSchemas.checkDeadLetter(headers);
        headers.add("fashion.label", "x".getBytes(StandardCharsets.UTF_8));
        assertThrows(AssertionError.class, () -> RecordSchemas.checkDeadLetter(headers));
    }
}
