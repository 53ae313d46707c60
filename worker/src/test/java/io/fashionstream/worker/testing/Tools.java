package io.fashionstream.worker.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** External tools some tests use when the machine has them (promtool, prometheus, docker-compose). */
public final class Tools {
    private Tools() {
    }

    /**
     * Whether a Docker engine may be reachable: {@code DOCKER_HOST} is set or the default socket
     * exists. Checked before Testcontainers looks, so a machine without Docker skips its tests
     * with one line instead of Testcontainers' error log.
     */
    public static boolean dockerAvailable() {
        String host = System.getenv("DOCKER_HOST");
        return (host != null && !host.isBlank()) || Files.exists(Path.of("/var/run/docker.sock"));
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
