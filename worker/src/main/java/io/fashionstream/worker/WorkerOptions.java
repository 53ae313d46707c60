package io.fashionstream.worker;

import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.config.GroupProtocol;
import io.fashionstream.worker.config.Guarantee;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.pipeline.CopiedHeaders;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The worker settings shared by {@code run} and {@code demo}. Every option can also be set by an
 * environment variable ({@code FASHION_<OPTION>}) or a line of the {@code --config} file; see
 * {@link ConfigSources}.
 */
public final class WorkerOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file of settings (option names without dashes; kafka.<key> for client settings). Env: FASHION_CONFIG")
    Path config;

    @Option(names = "--group-id", defaultValue = WorkerConfig.DEFAULT_GROUP_ID,
            description = "Consumer group of all workers (default: ${DEFAULT-VALUE})")
    String groupId;

    @Option(names = "--input-topic", defaultValue = WorkerConfig.DEFAULT_INPUT_TOPIC,
            description = "Topic of catalog images (default: ${DEFAULT-VALUE})")
    String inputTopic;

    @Option(names = "--results-topic", defaultValue = WorkerConfig.DEFAULT_RESULTS_TOPIC,
            description = "Topic of labels (default: ${DEFAULT-VALUE})")
    String resultsTopic;

    @Option(names = "--dead-letter-topic", defaultValue = WorkerConfig.DEFAULT_DEAD_LETTER_TOPIC,
            description = "Topic for inputs that cannot be classified (default: ${DEFAULT-VALUE})")
    String deadLetterTopic;

    @Option(names = "--model", defaultValue = WorkerConfig.DEFAULT_MODEL,
            description = "Model name in --models-dir, or path to a .zip or .onnx (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--engine", defaultValue = "onnxruntime",
            description = "What runs the model: onnxruntime (its .onnx export) or dl4j (the trained .zip) (default: ${DEFAULT-VALUE})")
    String engine;

    @Option(names = "--intra-op-threads", defaultValue = "" + WorkerConfig.DEFAULT_INTRA_OP_THREADS,
            description = "ONNX Runtime threads per forward pass; 0: the machine's cores divided among the worker threads"
                    + " (default: ${DEFAULT-VALUE})")
    int intraOpThreads;

    @Option(names = "--models-dir", description = "Where model names are looked up (default: the installation's models/"
            + " folder, wherever the command runs from)")
    Path modelsDir;

    @Option(names = "--workers", defaultValue = "" + WorkerConfig.DEFAULT_WORKERS,
            description = "Worker threads in this process (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--max-batch", defaultValue = "" + WorkerConfig.DEFAULT_MAX_BATCH,
            description = "Most images per forward pass (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--max-wait-ms", defaultValue = "" + WorkerConfig.DEFAULT_MAX_WAIT_MS,
            description = "Longest an image waits for its batch to fill (default: ${DEFAULT-VALUE})")
    long maxWaitMs;

    @Option(names = "--commit-interval-ms", defaultValue = "" + WorkerConfig.DEFAULT_COMMIT_INTERVAL_MS,
            description = "How long a worker thread gathers batches into one transaction (at-least-once: one offset"
                    + " commit) before committing; 0 commits every batch (default: ${DEFAULT-VALUE})")
    long commitIntervalMs;

    @Option(names = "--decode-threads", defaultValue = "" + WorkerConfig.DEFAULT_DECODE_THREADS,
            description = "Per worker thread, helpers that decode the next batch while the current one is in the"
                    + " network; 0 decodes on the worker thread (default: ${DEFAULT-VALUE})")
    int decodeThreads;

    @Option(names = "--guarantee", defaultValue = "exactly-once",
            description = "exactly-once (Kafka transactions) or at-least-once (default: ${DEFAULT-VALUE})")
    String guarantee;

    @Option(names = "--group-protocol", defaultValue = "auto",
            description = "Consumer group protocol: consumer (Kafka 4, KIP-848: no stop-the-world rebalances), classic,"
                    + " or auto: consumer where the broker offers it (default: ${DEFAULT-VALUE})")
    String groupProtocol;

    @Option(names = "--static-membership", defaultValue = "" + WorkerConfig.DEFAULT_STATIC_MEMBERSHIP, arity = "1",
            description = "Under the classic group protocol, join with a stable group.instance.id"
                    + " (<transactional-id-prefix>-<thread>), so that a restarted process rejoins without a rebalance"
                    + " (default: ${DEFAULT-VALUE})")
    boolean staticMembership;

    @Option(names = "--transactional-id-prefix",
            description = "Stable, per-process prefix of the producers' transactional ids (default: fashion-worker-<hostname>,"
                    + " or -1, -2, ... appended for a second, third live process on the host)")
    String transactionalIdPrefix;

    /** Whether --transactional-id-prefix (or its variable or file line) was given, rather than defaulted. */
    boolean prefixGiven() {
        return transactionalIdPrefix != null;
    }

    @Option(names = "--max-image-bytes", defaultValue = "" + ImageLimits.DEFAULT_MAX_BYTES,
            description = "Largest accepted record value (default: ${DEFAULT-VALUE})")
    int maxImageBytes;

    @Option(names = "--max-image-pixels", defaultValue = "" + ImageLimits.DEFAULT_MAX_PIXELS,
            description = "Largest width x height an image header may declare (default: ${DEFAULT-VALUE})")
    long maxImagePixels;

    @Option(names = "--startup-timeout-ms", defaultValue = "" + WorkerConfig.DEFAULT_STARTUP_TIMEOUT_MS,
            description = "How long to wait for the broker and topics at startup (default: ${DEFAULT-VALUE})")
    long startupTimeoutMs;

    @Option(names = "--stall-timeout-ms", defaultValue = "" + WorkerConfig.DEFAULT_STALL_TIMEOUT_MS,
            description = "Not ready (/health/ready 503) once a worker holds input it has not answered, or has sent the"
                    + " group coordinator no heartbeat, for this long; keep it well above the heartbeat interval (classic: 3 s;"
                    + " consumer protocol: the broker's group.consumer.heartbeat.interval.ms, 5 s by default)"
                    + " (default: ${DEFAULT-VALUE})")
    long stallTimeoutMs;

    @Option(names = "--result-headers", split = ",", paramLabel = "NAME",
            description = "Input headers copied to results, comma-separated; headers in the worker's fashion. namespace never"
                    + " are (default: traceparent,tracestate,baggage,label)")
    Set<String> resultHeaders;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Any Kafka client setting, e.g. security.protocol=SASL_SSL (repeatable). Env: FASHION_KAFKA_<KEY>")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    /** The validated configuration; {@link IllegalArgumentException} names the first bad value. */
    public WorkerConfig toConfig(String bootstrapServers, ConfigSources sources, Map<String, String> env) {
        String prefix = transactionalIdPrefix != null ? transactionalIdPrefix
                : WorkerConfig.DEFAULT_TRANSACTIONAL_ID_PREFIX + "-" + hostName(env);
        return WorkerConfig.builder()
                .bootstrapServers(bootstrapServers)
                .groupId(groupId)
                .inputTopic(inputTopic)
                .resultsTopic(resultsTopic)
                .deadLetterTopic(deadLetterTopic)
                .model(model)
                .engine(EngineKind.parse(engine))
                .intraOpThreads(intraOpThreads)
                .modelsDir(modelsDir != null ? modelsDir : WorkerConfig.DEFAULT_MODELS_DIR)
                .workers(workers)
                .maxBatch(maxBatch)
                .maxWait(Duration.ofMillis(maxWaitMs))
                .commitInterval(Duration.ofMillis(commitIntervalMs))
                .decodeThreads(decodeThreads)
                .guarantee(Guarantee.parse(guarantee))
                .groupProtocol(GroupProtocol.parse(groupProtocol))
                .staticMembership(staticMembership)
                .transactionalIdPrefix(prefix)
                .imageLimits(new ImageLimits(maxImageBytes, maxImagePixels))
                .startupTimeout(Duration.ofMillis(startupTimeoutMs))
                .stallTimeout(Duration.ofMillis(stallTimeoutMs))
                .resultHeaders(resultHeaders != null ? resultHeaders : CopiedHeaders.DEFAULT_RESULT_HEADERS)
                .kafkaProperties(sources.kafkaProperties(kafkaProperties))
                .build();
    }

    private static String hostName(Map<String, String> env) {
        String host = env.getOrDefault("HOSTNAME", "");
        if (host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
