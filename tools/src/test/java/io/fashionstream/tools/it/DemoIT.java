package io.fashionstream.tools.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.Json;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.worker.it.WorkerProcess;
import io.fashionstream.worker.testing.TestInputs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quick start's demo, as a user runs it: the packaged jar, its own embedded broker, a JSON summary. */
class DemoIT {
    @Test
    void theDemoClassifiesTheTestImagesAndSummarisesAsJson() throws Exception {
        Process demo = WorkerProcess.start("demo-embedded", List.of("demo", "--images", "500", "--model", "simple",
                "--models-dir", TestInputs.MODELS_DIR.toString(), "--workers", "2", "--json"));
        assertTrue(demo.waitFor(240, TimeUnit.SECONDS), "the demo ends");
        String output = WorkerProcess.log("demo-embedded");
        assertEquals(0, demo.exitValue(), output);
        JsonNode s = lastJsonLine(output);
        assertEquals(500, s.get("sent").asInt());
        assertEquals(500, s.get("classified").asInt());
        assertEquals(0, s.get("deadLettered").asInt());
        assertEquals(0, s.get("duplicates").asInt());
        assertEquals("simple", s.get("model").asText());
        double accuracy = s.get("accuracy").asDouble();
        assertTrue(accuracy > 0.85 && accuracy <= 1, "accuracy " + accuracy);
        for (String field : List.of("throughputPerSec", "p50Ms", "p99Ms")) {
            assertTrue(s.get(field).asDouble() > 0, field);
        }
        assertTrue(output.contains("sent 500/500"), "a progress line was printed");
    }

    /**
     * ONNX Runtime 1.29.0 kills the JVM while creating its environment when the process command line
     * is longer than 4 KB, as a plain {@code java -cp <every jar>} is: the pinned version must not.
     */
    @Test
    void theDemoRunsOnOnnxRuntimeFromAClasspathOfEveryJar() throws Exception {
        Process demo = WorkerProcess.startOnClasspath("demo-classpath", List.of("demo", "--images", "200", "--model",
                "simple", "--models-dir", TestInputs.MODELS_DIR.toString(), "--json"));
        int classpath = WorkerProcess.classpathOfEveryJar().length();
        assertTrue(classpath > 4096, "a class path of " + classpath + " characters");
        assertTrue(demo.waitFor(240, TimeUnit.SECONDS), "the demo ends");
        String output = WorkerProcess.log("demo-classpath");
        assertEquals(0, demo.exitValue(), output);
        JsonNode s = lastJsonLine(output);
        assertEquals(200, s.get("classified").asInt(), output);
        assertTrue(s.get("engine").asText().startsWith("onnxruntime"), "the default engine: " + s);
    }

    @Test
    void theDemoRunsAgainstAnExistingCluster() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            String log = "demo-external";
            Process demo = WorkerProcess.start(log, List.of("demo", "--bootstrap-servers", broker.bootstrapServers(),
                    "--images", "300", "--model", "simple", "--models-dir", TestInputs.MODELS_DIR.toString(), "--json"));
            assertTrue(demo.waitFor(180, TimeUnit.SECONDS), "the demo ends");
            String output = WorkerProcess.log(log);
            assertEquals(0, demo.exitValue(), output);
            JsonNode summary = lastJsonLine(output);
            assertEquals(300, summary.get("sent").asInt());
            assertEquals(300, summary.get("classified").asInt());
            assertEquals(0, summary.get("duplicates").asInt());
        }
    }

    static JsonNode lastJsonLine(String output) throws IOException {
        List<String> lines = output.strip().lines().toList();
        return Json.MAPPER.readTree(lines.get(lines.size() - 1));
    }
}
