package io.fashionstream.worker.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** External tools some tests use when the machine has them (promtool, prometheus, docker-compose). */
public final class Tools {
    private Tools() {
    }

    /** Whether an executable named {@code tool} is on the PATH. */
    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
