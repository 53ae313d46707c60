package io.fashionstream.worker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad configuration is refused with one line and exit code 2, before any model or broker is touched. */
class WorkerCliTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureStderr() {
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
    }

    static Stream<List<String>> badRunArguments() {
        return Stream.of(
                List.of("--max-batch", "0"),
                List.of("--max-batch", "many"),
                List.of("--max-wait-ms", "-1"),
                List.of("--workers", "0"),
                List.of("--guarantee", "at-most-once"),
                List.of("--input-topic", "bad topic"),
                List.of("--results-topic", "catalog-images"),
                List.of("--max-image-bytes", "10"),
                List.of("--kafka-property", "enable.auto.commit=true"),
                List.of("--kafka-property", "transactional.id=mine"),
                List.of("--kafka-property", "acks=2"),
                List.of("--kafka-property", "max.poll.records=abc"),
                List.of("--kafka-property", "acks=0"), // idempotence needs acks=all: only the producer's constructor knows
                List.of("--guarantee", "exactly_once"),
                List.of("--group-protocol", "CLASSIC"),
                List.of("--engine", "DL4J"),
                List.of("--result-headers", "traceparent,fashion.model"),
                List.of("--startup-timeout-ms", "0"),
                List.of("--metrics-port", "70000"),
                List.of("--no-such-option"),
                List.of("--config", "/nonexistent/worker.properties"));
    }

    @ParameterizedTest
    @MethodSource("badRunArguments")
    void badValuesExitWithCode2AndOneLine(List<String> bad) {
        assertUsageErrorInOneLine("run", bad);
    }

    static Stream<List<String>> badProduceArguments() {
        return Stream.of(
                List.of("--rate", "-1"),
                List.of("--count", "0"),
                List.of("--labels", "labels.csv"),
                List.of("--dir", "/nonexistent/images"),
                List.of("--kafka-property", "acks=2"),
                List.of("--kafka-property", "linger.ms=soon"),
                List.of("--topic", ""));
    }

    @ParameterizedTest
    @MethodSource("badProduceArguments")
    void badProduceValuesExitWithCode2AndOneLine(List<String> bad) {
        assertUsageErrorInOneLine("produce", bad);
    }

    private void assertUsageErrorInOneLine(String command, List<String> bad) {
        List<String> args = new ArrayList<>(List.of(command, "--bootstrap-servers", "127.0.0.1:1"));
        args.addAll(bad);
        int code = WorkerCli.run(Map.of(), args.toArray(String[]::new));
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(WorkerCli.EXIT_USAGE, code, message);
        assertTrue(message.startsWith("error: "), message);
        assertEquals(1, message.lines().count(), message);
    }

    @Test
    void aMetricsPortInUseIsABadSettingNamedAsSuch() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int code = WorkerCli.run(Map.of(), "run", "--metrics-host", "127.0.0.1",
                    "--metrics-port", Integer.toString(taken.getLocalPort()));
            String message = err.toString(StandardCharsets.UTF_8).strip();
            assertEquals(WorkerCli.EXIT_USAGE, code, message);
            assertTrue(message.contains("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort()), message);
        }
    }

    @Test
    void aBadEnvironmentValueIsRefusedLikeAFlag() {
        int code = WorkerCli.run(Map.of("FASHION_MAX_BATCH", "-5"), "run");
        assertEquals(WorkerCli.EXIT_USAGE, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("max-batch"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void releaseCommandsRefuseBadUsageBeforeConnecting() {
        // 127.0.0.1:1 answers nothing: each of these must be refused before any client would need it.
        String[][] bad = {
                {"release", "publish", "--model", "simple", "--models-dir", "../models", "--as", "boss"},
                {"release", "publish", "--model", "simple", "--models-dir", "../models", "--as", "canary", "--canary-share", "1.5"},
                {"release", "publish", "--model", "no-such-model", "--models-dir", "../models"},
                {"release", "retire"},
                {"release", "retire", "--role", "primary"},
                {"release", "list", "--release-topic", ""}};
        for (String[] args : bad) {
            String[] all = java.util.Arrays.copyOf(args, args.length + 2);
            all[args.length] = "--bootstrap-servers";
            all[args.length + 1] = "127.0.0.1:1";
            assertEquals(WorkerCli.EXIT_USAGE, WorkerCli.run(Map.of(), all), String.join(" ", args) + ": " + err);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("'boss' is not primary, canary or shadow"), err.toString());
    }

    @Test
    void aMissingModelIsRefusedBeforeConnectingWithTheModelsThereAre() {
        int code = WorkerCli.run(Map.of(), "run", "--model", "no-such-model", "--models-dir", "../models",
                "--metrics-port", "0");
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(WorkerCli.EXIT_USAGE, code);
        assertTrue(message.contains("no model 'no-such-model'"), message);
        assertTrue(message.endsWith("available: complex1, complex2, simple"), message);
    }

    @Test
    void modelsAreFoundInTheInstallationWithoutModelsDir() {
        // The tests run in worker/, where no models/ folder is: the repository's is found from the code's location.
        assertEquals(java.nio.file.Path.of("..", "models").toAbsolutePath().normalize(),
                io.fashionstream.worker.config.WorkerConfig.DEFAULT_MODELS_DIR);
        int code = WorkerCli.run(Map.of(), "run", "--model", "complex3", "--metrics-port", "0");
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(WorkerCli.EXIT_USAGE, code);
        assertTrue(message.endsWith("available: complex1, complex2, simple"), message);
    }

    @Test
    void anUnreachableBrokerIsReportedWithinTheStartupTimeoutAndNoSecretIsLogged() {
        int code = WorkerCli.run(Map.of("FASHION_KAFKA_SASL_JAAS_CONFIG", "x required password=\"hunter2\";"),
                "run", "--bootstrap-servers", "127.0.0.1:1", "--startup-timeout-ms", "1500",
                "--model", "simple", "--models-dir", "../models", "--metrics-port", "0");
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(WorkerCli.EXIT_FAILED, code, log);
        assertTrue(log.contains("error: cannot reach Kafka at 127.0.0.1:1"), log);
        assertTrue(log.contains("sasl.jaas.config=[hidden]"), "the setting is listed, masked: " + log);
        assertFalse(log.contains("hunter2"), log);
    }
}
