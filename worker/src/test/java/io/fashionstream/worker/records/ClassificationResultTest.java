package io.fashionstream.worker.records;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.FashionClass;
import io.fashionstream.core.Json;
import io.fashionstream.core.inference.Prediction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassificationResultTest {
    private static final float[] SCORES = {0.01f, 0, 0, 0, 0, 0.02f, 0, 0.07f, 0, 0.9f};

    @Test
    void serialisesTheDesignsFieldsWithTruthWhenLabelled() throws Exception {
        ClassificationResult r = ClassificationResult.of("sku-42", Prediction.fromScores(SCORES), "complex2",
                "0123456789ab", 3, 1234L, 32, 7.5, FashionClass.SNEAKER);
        JsonNode json = Json.MAPPER.readTree(r.toJsonBytes());
        List<String> expected = List.of("id", "label", "class", "confidence", "scores", "model", "modelVersion",
                "partition", "offset", "batchSize", "latencyMs", "truth", "correct");
        List<String> actual = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(actual::add);
        assertEquals(expected, actual);
        assertEquals("sku-42", json.get("id").asText());
        assertEquals(9, json.get("label").asInt());
        assertEquals("Ankle boot", json.get("class").asText());
        assertEquals(0.9, json.get("confidence").asDouble(), 1e-6);
        assertEquals(10, json.get("scores").size());
        assertEquals(7, json.get("truth").asInt());
        assertFalse(json.get("correct").asBoolean());
        assertEquals(1234L, json.get("offset").asLong());
    }

    @Test
    void unlabelledInputsHaveNoTruthOrCorrectAndNullKeysAreNull() throws Exception {
        ClassificationResult r = ClassificationResult.of(null, Prediction.fromScores(SCORES), "simple", "v", 0, 0, 1,
                1.0, null);
        JsonNode json = Json.MAPPER.readTree(r.toJsonBytes());
        assertFalse(json.has("truth"));
        assertFalse(json.has("correct"));
        assertTrue(json.get("id").isNull(), "a null key is written as JSON null");
        ClassificationResult right = ClassificationResult.of("x", Prediction.fromScores(SCORES), "simple", "v", 0, 0, 1,
                1.0, FashionClass.ANKLE_BOOT);
        assertTrue(Json.MAPPER.readTree(right.toJsonBytes()).get("correct").asBoolean());
    }
}
