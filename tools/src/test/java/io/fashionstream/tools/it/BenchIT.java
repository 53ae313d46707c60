package io.fashionstream.tools.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.Json;
import io.fashionstream.worker.it.WorkerProcess;
import io.fashionstream.worker.testing.TestInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's pipeline part on its embedded broker, small: every image answered, the report consistent. */
class BenchIT {
    @TempDir
    Path out;

    @Test
    void thePipelinePartRunsEachSettingSaturatedAndAtHalfLoadAndWritesTheReportAndChart() throws Exception {
        Process bench = WorkerProcess.start("bench-pipeline", List.of("bench", "pipeline",
                "--settings", "1:0,16:10:0", "--settle-seconds", "0", "--images", "120", "--load-seconds", "2", "--seconds", "0.5",
                "--warmup-seconds", "0", "--models-dir", TestInputs.MODELS_DIR.toString(), "--out", out.toString()));
        assertTrue(bench.waitFor(240, TimeUnit.SECONDS), "the bench ends");
        assertEquals(0, bench.exitValue(), WorkerProcess.log("bench-pipeline"));

        JsonNode pipeline = Json.MAPPER.readTree(out.resolve("bench.json").toFile()).get("pipeline");
        assertEquals("embedded", pipeline.get("kafka").asText());
        JsonNode points = pipeline.get("points");
        assertEquals(2, points.size());
        for (JsonNode p : points) {
            assertEquals(120, p.at("/saturated/images").asLong(), "every sent image was answered: " + p);
            double half = p.at("/saturated/imagesPerSec").asDouble() / 2;
            assertEquals(half, p.at("/halfLoad/offeredPerSec").asDouble(), 1e-9, "half load is half the saturated rate");
            assertTrue(p.at("/halfLoad/p50Ms").asDouble() <= p.at("/halfLoad/p99Ms").asDouble());
            // each result is made before it is committed and read: its own latency cannot be longer
            assertTrue(p.at("/halfLoad/p99ClassifiedMs").asDouble() <= p.at("/halfLoad/p99Ms").asDouble(), p.toString());
            assertEquals(p.get("maxWaitMs").asDouble() + p.get("commitIntervalMs").asDouble()
                    + 2 * p.get("engineMsPerBatch").asDouble(), p.get("p99BoundMs").asDouble(), 1e-9);
            assertEquals(120, p.at("/ceiling/images").asLong(), "the pass-through pool answered every image: " + p);
            assertEquals(p.at("/saturated/imagesPerSec").asDouble() / p.at("/ceiling/imagesPerSec").asDouble(),
                    p.get("endToEndOverCeiling").asDouble(), 1e-9);
        }
        assertEquals(1.0, points.get(0).at("/saturated/meanBatchSize").asDouble(), 1e-9, "max batch 1: one per pass");
        assertTrue(points.get(1).at("/saturated/meanBatchSize").asDouble() > 1, "a flood fills batches");
        assertEquals(1, points.get(0).get("decodeThreads").asInt(), "the worker's default");
        assertEquals(0, points.get(1).get("decodeThreads").asInt());
        JsonNode cpu = points.get(0).at("/saturated/cpuCores");
        // Linux counts thread CPU in 10 ms ticks: a short run's worker threads may show none, so this asks
        // that they were found and named, and that the process's CPU over the run was counted at all.
        assertTrue(cpu.has("worker threads (poll, publish)"), cpu.toString());
        double ownCores = 0;
        for (var group : cpu.properties()) {
            ownCores += group.getKey().equals("other processes") ? 0 : group.getValue().asDouble();
        }
        assertTrue(ownCores > 0, cpu.toString());
        assertTrue(cpu.has("decode helpers"), "one decode helper ran: " + cpu);
        assertTrue(Files.readString(out.resolve("bench.md")).contains("| engine thread pools (forward pass) |"));
        assertTrue(Files.size(out.resolve("pipeline.png")) > 1000, "the chart was drawn");
        assertTrue(Files.readString(out.resolve("bench.md")).contains("micro-batching gain"));
    }
}
