package io.fashionstream.kafkakit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A stock Apache Kafka broker (KRaft, one combined broker and controller, Kafka's own defaults
 * but for a one-node cluster's replication settings) in a child JVM on this process's class path;
 * or one node of a cluster of them ({@link #startCluster}).
 * Unlike {@link EmbeddedKafka} it can be SIGKILLed and started again on its data and its port,
 * as fault tests and the failover bench need, and a worker killed beside it leaves it running;
 * its log goes to a file, not to this process's terminal; and it ends with this process
 * ({@link OrphanGuard}).
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final int nodeId;
    private final Path dir;
    private final Path properties;
    private final int port;
    private final Path logFile;
    private final List<String> jvmOptions;
    private Process process;

    private KafkaBrokerProcess(int nodeId, Path dir, Path properties, int port, Path logFile, List<String> jvmOptions) {
        this.nodeId = nodeId;
        this.dir = dir;
        this.properties = properties;
        this.port = port;
        this.logFile = logFile;
        this.jvmOptions = jvmOptions;
    }

    /** Formats a new broker under a fresh temporary directory and starts it; {@code config} adds or overrides settings. */
    public static KafkaBrokerProcess start(Map<String, String> config) throws IOException, InterruptedException {
        return start(config, null, List.of());
    }

    /**
     * The same, the broker's log appended to {@code logFile} (null: inside its temporary directory,
     * removed with it) so that it outlives the broker, and {@code jvmOptions} given to its JVM.
     */
    public static KafkaBrokerProcess start(Map<String, String> config, Path logFile, List<String> jvmOptions)
            throws IOException, InterruptedException {
        int port = freePort();
        int controllerPort = freePort();
        KafkaBrokerProcess broker = node(1, port, controllerPort, "1@localhost:" + controllerPort,
                Uuid.randomUuid().toString(), config, logFile, jvmOptions);
        broker.start();
        return broker;
    }

    /**
     * A cluster of {@code nodes} combined brokers and controllers on loopback, each in a child JVM of
     * its own (so that one can be SIGKILLed), started together; {@code config} adds or overrides
     * settings of every node (replication factors, {@code min.insync.replicas}); {@code logDir}
     * (null: inside each node's temporary directory) receives {@code node-<id>.log}.
     */
    public static List<KafkaBrokerProcess> startCluster(int nodes, Map<String, String> config, Path logDir,
                                                        List<String> jvmOptions) throws IOException, InterruptedException {
        int[] ports = new int[nodes];
        int[] controllerPorts = new int[nodes];
        List<String> voters = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            ports[i] = freePort();
            controllerPorts[i] = freePort();
            voters.add((i + 1) + "@localhost:" + controllerPorts[i]);
        }
        String clusterId = Uuid.randomUuid().toString();
        List<KafkaBrokerProcess> cluster = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            cluster.add(node(i + 1, ports[i], controllerPorts[i], String.join(",", voters), clusterId, config,
                    logDir == null ? null : logDir.resolve("node-" + (i + 1) + ".log"), jvmOptions));
        }
        for (KafkaBrokerProcess node : cluster) {
            node.launch(); // together: a quorum forms only when most controllers run
        }
        for (KafkaBrokerProcess node : cluster) {
            node.awaitReady();
        }
        return cluster;
    }

    private static KafkaBrokerProcess node(int nodeId, int port, int controllerPort, String voters, String clusterId,
                                           Map<String, String> config, Path logFile, List<String> jvmOptions)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("fashion-kafka-");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(nodeId));
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dir.resolve("data").toString());
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.putAll(config);
        Path properties = dir.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(properties)) {
            for (var e : props.entrySet()) {
                out.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        }
        KafkaBrokerProcess broker = new KafkaBrokerProcess(nodeId, dir, properties, port,
                logFile != null ? logFile : dir.resolve("broker.log"), List.copyOf(jvmOptions));
        broker.format(clusterId);
        return broker;
    }

    private void format(String clusterId) throws IOException, InterruptedException {
        Process format = java("kafka.tools.StorageTool", "format", "--cluster-id", clusterId,
                "--config", properties.toString(), "--ignore-formatted")
                .redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IOException("formatting the broker's storage failed: " + Files.readString(dir.resolve("format.log")));
        }
    }

    /** Starts the broker (again, on its data and port) and waits until it answers. */
    public void start() throws IOException, InterruptedException {
        launch();
        awaitReady();
    }

    private void launch() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker is running");
        }
        process = java(OrphanGuard.class.getName(), Long.toString(ProcessHandle.current().pid()), properties.toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    }

    /** The node's id in its cluster (1 for a single broker). */
    public int nodeId() {
        return nodeId;
    }

    /** SIGKILL: the broker stops at once, without a controlled shutdown. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** The broker's own log, for a failing test's message. */
    public String log() throws IOException {
        return Files.exists(logFile) ? Files.readString(logFile) : "";
    }

    /** Where the broker's log is written. */
    public Path logFile() {
        return logFile;
    }

    private void awaitReady() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> props = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the broker exited with " + process.exitValue() + ": " + tail(log()));
            }
            try (Admin admin = Admin.create(props)) {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                Thread.sleep(200); // not up yet
            }
        }
        throw new IOException("the broker did not answer within " + READY_TIMEOUT.toSeconds() + " s: " + tail(log()));
    }

    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                // The broker's own log at info, into its file (the worker's logging keeps Kafka at warn).
                "-Dorg.slf4j.simpleLogger.log.kafka=info", "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=info",
                mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Kills the broker and removes its data. */
    @Override
    public void close() throws InterruptedException {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
