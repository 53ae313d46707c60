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
        ClassificationResult r = ClassificationResult.of("sku-42", Prediction.fromScores(SCORES), 3, true, "complex2",
                "0123456789ab", 3, 1234L, 32, 7.5, FashionClass.SNEAKER);
        JsonNode json = Json.MAPPER.readTree(r.toJsonBytes());
        List<String> expected = List.of("id", "label", "class", "confidence", "scores", "top", "review", "model",
                "modelVersion", "partition", "offset", "batchSize", "latencyMs", "truth", "correct", "schema");
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
        assertTrue(json.get("review").asBoolean());
        assertEquals(ClassificationResult.SCHEMA_VERSION, json.get("schema").asInt());
        // the three best, best first: Ankle boot 0.9, Sneaker 0.07, Sandal 0.02
        JsonNode top = json.get("top");
        assertEquals(3, top.size());
        assertEquals(List.of(9, 7, 5), List.of(top.get(0).get("label").asInt(), top.get(1).get("label").asInt(),
                top.get(2).get("label").asInt()));
        assertEquals("Sneaker", top.get(1).get("class").asText());
        assertEquals(0.07, top.get(1).get("score").asDouble(), 1e-6);
    }

    @Test
    void topKListsAsManyAsAskedAndTiesKeepTheLowerClassFirst() throws Exception {
        ClassificationResult r = ClassificationResult.of("x", Prediction.fromScores(SCORES), 10, false, "simple", "v",
                0, 0, 1, 1.0, null);
        JsonNode top = Json.MAPPER.readTree(r.toJsonBytes()).get("top");
        assertEquals(10, top.size());
        assertEquals(0, top.get(3).get("label").asInt()); // 0.01 after 0.9, 0.07, 0.02
        assertEquals(1, top.get(4).get("label").asInt()); // then the zeros, lowest index first
        assertFalse(Json.MAPPER.readTree(r.toJsonBytes()).get("review").asBoolean());
    }

    @Test
    void unlabelledInputsHaveNoTruthOrCorrectAndNullKeysAreNull() throws Exception {
        ClassificationResult r = ClassificationResult.of(null, Prediction.fromScores(SCORES), 3, false, "simple", "v", 0, 0, 1,
                1.0, null);
        JsonNode json = Json.MAPPER.readTree(r.toJsonBytes());
        assertFalse(json.has("truth"));
        assertFalse(json.has("correct"));
        assertTrue(json.get("id").isNull(), "a null key is written as JSON null");
        ClassificationResult right = ClassificationResult.of("x", Prediction.fromScores(SCORES), 3, false, "simple", "v", 0, 0, 1,
                1.0, FashionClass.ANKLE_BOOT);
        assertTrue(Json.MAPPER.readTree(right.toJsonBytes()).get("correct").asBoolean());
    }
}
