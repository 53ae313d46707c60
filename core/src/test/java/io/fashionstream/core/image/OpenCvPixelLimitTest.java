package io.fashionstream.core.image;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenCV's own pixel limit follows the worker's, however the JVM was launched (no variable set). */
class OpenCvPixelLimitTest {
    @Test
    void openCvRefusesWhatTheWorkersLimitRefusesAndDecodesWhatItAllows() throws Exception {
        assertEquals("refused", probe(1_000), "1,600 pixels over a limit of 1,000");
        assertEquals("decoded", probe(10_000), "1,600 pixels under a limit of 10,000");
    }

    /** What OpenCV does with a 40x40 PNG in a fresh JVM whose worker limit is {@code maxPixels}. */
    private static String probe(long maxPixels) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OpenCvPixelLimitProbe.class.getName(), Long.toString(maxPixels)));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove(OpenCvPixelLimit.VARIABLE);
        Process p = builder.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe ends");
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        return lines.get(lines.size() - 1);
    }
}
