package io.fashionstream.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the CPU, for model cards. */
final class CpuInfo {
    private CpuInfo() {
    }

    static String describe() {
        String model = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: keep the generic description
        }
        return model + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }
}
