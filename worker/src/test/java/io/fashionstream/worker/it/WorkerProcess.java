package io.fashionstream.worker.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The packaged worker ({@code target/fashion-worker.jar}) in its own JVM, so it can be killed like a real one. */
final class WorkerProcess {
    static final Path JAR = Path.of("target", "fashion-worker.jar");

    private WorkerProcess() {
    }

    /** Starts {@code fashion-worker <args>}; output goes to {@code target/it-logs/<logName>.log}. */
    static Process start(String logName, List<String> args) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: integration tests run after 'package'");
        }
        Path logs = Files.createDirectories(Path.of("target", "it-logs"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx2g");
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(args);
        File log = logs.resolve(logName + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    static String log(String logName) throws IOException {
        return Files.readString(Path.of("target", "it-logs", logName + ".log"));
    }
}
