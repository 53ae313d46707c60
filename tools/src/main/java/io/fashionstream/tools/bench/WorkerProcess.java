package io.fashionstream.tools.bench;

import io.fashionstream.worker.WorkerCli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker as production runs it: {@code fashion-worker run} in a JVM of its own (this one's class
 * path), serving metrics and health on a port of its own, its output appended to a log file. It can
 * be started again after a stop or a kill, with the same arguments and port.
 */
final class WorkerProcess {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String name;
    private final List<String> runArgs;
    private final List<String> jvmArgs;
    private final Path log;
    private final int port;
    private Process process;
    private long startedNanos;

    /** @param runArgs the options of {@code run}, less {@code --metrics-host} and {@code --metrics-port} */
    WorkerProcess(String name, List<String> runArgs, Path log) throws IOException {
        this(name, List.of(), runArgs, log);
    }

    /** @param jvmArgs options of its JVM (heap limits, say) */
    WorkerProcess(String name, List<String> jvmArgs, List<String> runArgs, Path log) throws IOException {
        this.name = name;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.runArgs = List.copyOf(runArgs);
        this.log = log;
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
    }

    String name() {
        return name;
    }

    /** Where it serves {@code /metrics} and {@code /health}: {@code 127.0.0.1:<port>}. */
    String metricsTarget() {
        return "127.0.0.1:" + port;
    }

    void start() throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerCli.class.getName(), "run"));
        command.addAll(runArgs);
        command.addAll(List.of("--metrics-host", "127.0.0.1", "--metrics-port", Integer.toString(port)));
        startedNanos = System.nanoTime();
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Seconds from this process's start until it is ready. */
    double awaitReady() throws Exception {
        long deadline = startedNanos + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("worker " + name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + metricsTarget()
                        + "/health/ready")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return (System.nanoTime() - startedNanos) / 1e9;
                }
            } catch (IOException e) {
                // not serving yet
            }
            Thread.sleep(100);
        }
        throw new IOException("worker " + name + " not ready within " + READY_TIMEOUT.toSeconds() + " s; see " + log);
    }

    /** The operating system's id of its process (it must have been started). */
    long pid() {
        return process.pid();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
