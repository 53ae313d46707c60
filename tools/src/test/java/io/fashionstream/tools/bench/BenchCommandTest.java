package io.fashionstream.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.Json;
import io.fashionstream.core.photo.PhotoVariation;
import io.fashionstream.worker.WorkerCli;
import io.fashionstream.worker.testing.TestInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench report: its shape and consistency, never its speed. */
class BenchCommandTest {
    @TempDir
    Path out;

    @Test
    void writesAJsonReportAndAMarkdownTableWithOnePointPerBatchSize() throws Exception {
        int code = WorkerCli.run(Map.of(), "bench", "engine", "--models", "simple", "--models-dir", TestInputs.MODELS_DIR.toString(),
                "--engines", "onnxruntime,dl4j", "--threads", "1",
                "--batches", "1,4", "--seconds", "0.2", "--warmup-seconds", "0", "--profile-batch", "8",
                "--out", out.toString());
        assertEquals(0, code);

        JsonNode report = Json.MAPPER.readTree(out.resolve("bench.json").toFile());
        assertTrue(report.at("/machine/cores").asInt() >= 1);
        assertTrue(report.at("/machine/nd4j").asText().startsWith("nd4j-native"), report.at("/machine").toString());
        assertEquals(2, report.get("engine").size(), "one result per engine");
        for (int e = 0; e < 2; e++) {
            assertEquals("simple", report.at("/engine/" + e + "/model").asText());
            JsonNode points = report.at("/engine/" + e + "/points");
            assertEquals(2, points.size());
            for (int i = 0; i < 2; i++) {
                JsonNode p = points.get(i);
                int batch = p.get("batchSize").asInt();
                assertEquals(i == 0 ? 1 : 4, batch);
                assertTrue(p.get("images").asLong() > 0 && p.get("images").asLong() % batch == 0, "whole batches: " + p);
                assertEquals(p.get("images").asDouble() / p.get("seconds").asDouble(), p.get("imagesPerSec").asDouble(),
                        1e-6);
            }
        }
        assertEquals("onnxruntime", report.at("/engine/0/engine").asText());
        assertEquals(1, report.at("/engine/0/threads").asInt());
        assertEquals(0, report.at("/engine/0/layers").size(), "no layer profile from ONNX Runtime");
        assertEquals("dl4j", report.at("/engine/1/engine").asText());
        assertTrue(report.at("/engineTargets/speedupAt1").asDouble() > 0, report.at("/engineTargets").toString());
        JsonNode layers = report.at("/engine/1/layers");
        assertEquals(4, layers.size(), "simple: convolution, pooling, dense, output");
        assertEquals("NativeConv2D", layers.get(0).get("type").asText());
        assertEquals("OutputLayer", layers.get(3).get("type").asText());
        for (JsonNode l : layers) {
            assertTrue(l.get("ms").asDouble() >= 0 && l.get("share").asDouble() >= 0, l.toString());
        }
        String table = Files.readString(out.resolve("bench.md"));
        assertTrue(table.contains("| model | engine | threads | 1 | 4 |"), table);
        assertTrue(table.contains("| `simple` | onnxruntime | 1 |"), table);
        assertTrue(table.contains("| `simple` | dl4j |"), table);
        assertTrue(report.get("pipeline").isNull(), "the pipeline part was not asked for");
    }

    @Test
    void photosOnTheValidationImagesTheModelsHeldOut() throws Exception {
        // Tuning preprocessing on validation images keeps the test images for the figures reported.
        TestInputs.assumeTrainSplit();
        int code = WorkerCli.run(Map.of(), "bench", "photos", "--split", "validation",
                "--images", "40", "--models", "simple,complex1", "--models-dir", TestInputs.MODELS_DIR.toString(),
                "--out", out.toString());
        assertEquals(0, code);
        JsonNode photos = Json.MAPPER.readTree(out.resolve("bench.json").toFile()).get("photos");
        assertEquals("validation", photos.get("split").asText());
        assertEquals(PhotoVariation.standard().size(), photos.get("accuracy").size());
        for (JsonNode a : photos.get("accuracy")) {
            assertEquals(40, a.get("images").asInt());
            for (String m : new String[]{"simple", "complex1"}) {
                double raw = a.at("/rawByModel/" + m).asDouble();
                assertTrue(raw > 0.7 && raw <= 1, m + " on held-out images: " + raw);
            }
        }
        assertTrue(Files.readString(out.resolve("bench.md")).contains("on 40 validation images"));
    }

    @Test
    void eachBenchRefusesItsOwnBadValuesAsAUsageError() {
        List<List<String>> bad = List.of(
                List.of("engine", "--batches", "0,8"),
                List.of("engine", "--seconds", "0"),
                List.of("engine", "--engines", "tensorrt"),
                List.of("engine", "--threads", "0"),
                List.of("pipeline", "--settle-seconds", "-1"),
                List.of("pipeline", "--seconds", "0"), // refused before a broker starts
                List.of("pipeline", "--format", "gif"),
                List.of("pipeline", "--settings", "64"),
                List.of("pipeline", "--settings", "64:10:x"),
                List.of("pipeline", "--settings", "64:10:1:2:5:9"),
                List.of("pipeline", "--loads", "0.5,1.2"),
                List.of("photos", "--split", "train"),
                List.of("failover", "--rate", "0"),
                List.of("rollout", "--rate", "0"), // refused before a broker starts
                List.of("rollout", "--step-seconds", "1"),
                List.of("engine", "--format", "raw"), // a pipeline option: not the engine bench's
                List.of("gpu"));
        for (List<String> args : bad) {
            List<String> all = new java.util.ArrayList<>(List.of("bench"));
            all.addAll(args);
            all.addAll(List.of("--out", out.toString()));
            assertEquals(WorkerCli.EXIT_USAGE, WorkerCli.run(Map.of(), all.toArray(String[]::new)), String.join(" ", args));
        }
        assertEquals(WorkerCli.EXIT_USAGE, WorkerCli.run(Map.of(), "bench"), "a bench must be named");
    }
}
