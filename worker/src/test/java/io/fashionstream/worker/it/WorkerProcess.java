package io.fashionstream.worker.it;

import io.fashionstream.worker.WorkerCli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The packaged command line ({@code target/fashion-worker.jar}, or the tools jar) in its own JVM, so it can be killed like a real one. */
public final class WorkerProcess {
    /** The command-line jar of the module under test: the tools jar (which adds demo and bench) where there is one. */
    static final Path JAR = Files.isRegularFile(Path.of("target", "fashion-tools.jar"))
            ? Path.of("target", "fashion-tools.jar") : Path.of("target", "fashion-worker.jar");
    /** Every process started and not yet seen ended, by log name: what {@link LeftoverProcesses} stops after each class. */
    private static final Map<String, Process> STARTED = new ConcurrentHashMap<>();

    private WorkerProcess() {
    }

    /** Starts {@code java -jar <the module's jar> <args>}; output goes to {@code target/it-logs/<logName>.log}. */
    public static Process start(String logName, List<String> args) throws IOException {
        return start(logName, List.of("-jar", jar().toString()), args);
    }

    /**
     * Starts the worker as IDEs and {@code exec} plugins do: {@code java -cp <the jar and every
     * dependency jar, absolute paths> WorkerCli <args>}, a command line of several kilobytes.
     */
    public static Process startOnClasspath(String logName, List<String> args) throws IOException {
        return start(logName, List.of("-cp", classpathOfEveryJar(), WorkerCli.class.getName()), args);
    }

    /** The jar and every jar of {@code target/lib}, by absolute path. */
    public static String classpathOfEveryJar() throws IOException {
        List<String> entries = new ArrayList<>(List.of(jar().toAbsolutePath().toString()));
        try (Stream<Path> lib = Files.list(JAR.resolveSibling("lib"))) {
            lib.map(p -> p.toAbsolutePath().toString()).sorted().forEach(entries::add);
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Process start(String logName, List<String> launcher, List<String> args) throws IOException {
        Path logs = Files.createDirectories(Path.of("target", "it-logs"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx2g");
        command.addAll(launcher);
        command.addAll(args);
        File log = logs.resolve(logName + ".log").toFile();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        STARTED.put(logName, process);
        return process;
    }

    /** Kills every started process still alive (a test that failed before stopping its own); returns their log names. */
    static List<String> killLeftovers() throws InterruptedException {
        List<String> killed = new ArrayList<>();
        for (var e : STARTED.entrySet()) {
            if (e.getValue().isAlive()) {
                e.getValue().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                killed.add(e.getKey());
            }
        }
        STARTED.clear();
        return killed;
    }

    private static Path jar() {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: integration tests run after 'package'");
        }
        return JAR;
    }

    public static String log(String logName) throws IOException {
        return Files.readString(Path.of("target", "it-logs", logName + ".log"));
    }
}
