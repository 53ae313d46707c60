package io.fashionstream.worker;

import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.Precision;
import io.fashionstream.core.release.ReleaseGate;
import io.fashionstream.worker.config.CliEnums;
import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.config.GroupProtocol;
import io.fashionstream.worker.config.Guarantee;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.fetch.FetchSettings;
import io.fashionstream.worker.release.CanaryGuard;
import io.fashionstream.worker.release.ReleaseTopic;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The worker settings shared by {@code run} and {@code demo}: each option is bound to its
 * {@link WorkerConfig.Builder} setter, with the default and bounds {@link WorkerConfig} names, so a
 * setting is defined in one place. Every option can also be set by an environment variable
 * ({@code FASHION_<OPTION>}) or a line of the {@code --config} file; see {@link ConfigSources}.
 */
public final class WorkerOptions {
    private final WorkerConfig.Builder builder = WorkerConfig.builder();
    private boolean prefixGiven;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file of settings (option names without dashes; kafka.<key> for client settings). Env: FASHION_CONFIG")
    Path config;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Any Kafka client setting, e.g. security.protocol=SASL_SSL (repeatable). Env: FASHION_KAFKA_<KEY>")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--group-id", defaultValue = WorkerConfig.DEFAULT_GROUP_ID,
            description = "Consumer group of all workers (default: ${DEFAULT-VALUE})")
    void groupId(String v) {
        builder.groupId(v);
    }

    @Option(names = "--input-topic", defaultValue = WorkerConfig.DEFAULT_INPUT_TOPIC,
            description = "Topic of catalog images (default: ${DEFAULT-VALUE})")
    void inputTopic(String v) {
        builder.inputTopic(v);
    }

    @Option(names = "--results-topic", defaultValue = WorkerConfig.DEFAULT_RESULTS_TOPIC,
            description = "Topic of labels (default: ${DEFAULT-VALUE})")
    void resultsTopic(String v) {
        builder.resultsTopic(v);
    }

    @Option(names = "--dead-letter-topic", defaultValue = WorkerConfig.DEFAULT_DEAD_LETTER_TOPIC,
            description = "Topic for inputs that cannot be classified (default: ${DEFAULT-VALUE})")
    void deadLetterTopic(String v) {
        builder.deadLetterTopic(v);
    }

    @Option(names = "--review-topic", defaultValue = WorkerConfig.DEFAULT_REVIEW_TOPIC,
            description = "Topic that answers under the review threshold also go to, for people to check (default: ${DEFAULT-VALUE})")
    void reviewTopic(String v) {
        builder.reviewTopic(v);
    }

    @Option(names = "--review-threshold", defaultValue = "card", paramLabel = "CONFIDENCE|card",
            description = "Answers less confident than this go to the review topic too; 'card': the threshold the "
                    + "model card chose from its held-out answers; 0: none (default: ${DEFAULT-VALUE})")
    void reviewThreshold(String v) {
        builder.reviewThreshold(v.equals("card") ? null : parseFraction(v));
    }

    @Option(names = "--top-k", defaultValue = "" + WorkerConfig.DEFAULT_TOP_K,
            description = "Classes each result lists with their scores, best first, 1 to 10 (default: ${DEFAULT-VALUE})")
    void topK(int v) {
        builder.topK(v);
    }

    @Option(names = "--model", defaultValue = WorkerConfig.DEFAULT_MODEL,
            description = "Model name in --models-dir, or path to a .zip or .onnx (default: ${DEFAULT-VALUE})")
    void model(String v) {
        builder.model(v);
    }

    @Option(names = "--engine", defaultValue = WorkerConfig.DEFAULT_ENGINE_NAME, converter = CliEnums.Engine.class,
            description = "What runs the model: onnxruntime (its .onnx export) or dl4j (the trained .zip) (default: ${DEFAULT-VALUE})")
    void engine(EngineKind v) {
        builder.engine(v);
    }

    @Option(names = "--intra-op-threads", defaultValue = "" + WorkerConfig.DEFAULT_INTRA_OP_THREADS,
            description = "ONNX Runtime threads per forward pass; 0: the machine's cores divided among the worker threads"
                    + " (default: ${DEFAULT-VALUE})")
    void intraOpThreads(int v) {
        builder.intraOpThreads(v);
    }

    @Option(names = "--models-dir", description = "Where model names are looked up (default: the installation's models/"
            + " folder, wherever the command runs from)")
    void modelsDir(Path v) {
        builder.modelsDir(v);
    }

    @Option(names = "--precision", defaultValue = WorkerConfig.DEFAULT_PRECISION_NAME,
            description = "fp32, int8 (the model's INT8 version, models/<name>.int8.onnx) or auto: INT8 where its card"
                    + " says it loses at most 0.3 points on raw images and every photo variation and it ran faster, on"
                    + " a CPU with VNNI; float32 elsewhere (default: ${DEFAULT-VALUE})")
    void precision(String v) {
        builder.precision(Precision.parse(v));
    }

    @Option(names = "--release-topic", defaultValue = ReleaseTopic.DEFAULT_NAME,
            description = "Compacted topic of model releases and rollouts, read from its beginning: the worker serves"
                    + " its latest rollout and follows new ones without a restart; --model serves while it holds none;"
                    + " empty: --model only (default: ${DEFAULT-VALUE})")
    void releaseTopic(String v) {
        builder.releaseTopic(v);
    }

    @Option(names = "--gate-tolerance", defaultValue = "" + ReleaseGate.DEFAULT_TOLERANCE,
            description = "How far under its card's test accuracy a release may score on the golden set (the shipped"
                    + " test split) and still serve, as a fraction (default: ${DEFAULT-VALUE})")
    void gateTolerance(double v) {
        builder.gateTolerance(v);
    }

    @Option(names = "--canary-min-agreement", defaultValue = "" + CanaryGuard.DEFAULT_MIN_AGREEMENT,
            description = "A canary agreeing with the primary on fewer of its last 1000 answers is rolled back"
                    + " automatically; 0: never (default: ${DEFAULT-VALUE})")
    void canaryMinAgreement(double v) {
        builder.canaryMinAgreement(v);
    }

    @Option(names = "--canary-max-accuracy-drop", defaultValue = "" + CanaryGuard.DEFAULT_MAX_ACCURACY_DROP,
            description = "A canary whose accuracy on labelled inputs falls more than this under the primary's on the"
                    + " same inputs, by more than chance (McNemar, p < 0.01), is rolled back automatically; 1: never"
                    + " (default: ${DEFAULT-VALUE})")
    void canaryMaxAccuracyDrop(double v) {
        builder.canaryMaxAccuracyDrop(v);
    }

    @Option(names = "--canary-min-answers", defaultValue = "" + CanaryGuard.DEFAULT_MIN_ANSWERS,
            description = "Answers (and labelled answers) a canary gives before its bounds are judged (default: ${DEFAULT-VALUE})")
    void canaryMinAnswers(int v) {
        builder.canaryMinAnswers(v);
    }

    @Option(names = "--workers", defaultValue = "" + WorkerConfig.DEFAULT_WORKERS,
            description = "Worker threads in this process (default: ${DEFAULT-VALUE})")
    void workers(int v) {
        builder.workers(v);
    }

    @Option(names = "--max-batch", defaultValue = "" + WorkerConfig.DEFAULT_MAX_BATCH,
            description = "Most images per forward pass (default: ${DEFAULT-VALUE})")
    void maxBatch(int v) {
        builder.maxBatch(v);
    }

    @Option(names = "--max-wait-ms", defaultValue = "" + WorkerConfig.DEFAULT_MAX_WAIT_MS,
            description = "Longest an image waits for its batch to fill (default: ${DEFAULT-VALUE})")
    void maxWaitMs(long v) {
        builder.maxWait(Duration.ofMillis(v));
    }

    @Option(names = "--commit-interval-ms", defaultValue = "" + WorkerConfig.DEFAULT_COMMIT_INTERVAL_MS,
            description = "How long a worker thread gathers batches into one transaction (at-least-once: one offset"
                    + " commit) before committing; 0 commits every batch (default: ${DEFAULT-VALUE})")
    void commitIntervalMs(long v) {
        builder.commitInterval(Duration.ofMillis(v));
    }

    @Option(names = "--max-latency-ms", defaultValue = "0",
            description = "An answer's latency objective, from its record's timestamp to its commit: batches sized and"
                    + " transactions committed from measured costs to keep within it; --max-batch, --max-wait-ms and"
                    + " --commit-interval-ms stay the upper limits; 0: none (default: ${DEFAULT-VALUE})")
    void maxLatencyMs(long v) {
        builder.maxLatency(Duration.ofMillis(v));
    }

    @Option(names = "--decode-threads", defaultValue = "" + WorkerConfig.DEFAULT_DECODE_THREADS,
            description = "Per worker thread, helpers that decode the next batch while the current one is in the"
                    + " network; 0 decodes on the worker thread (default: ${DEFAULT-VALUE})")
    void decodeThreads(int v) {
        builder.decodeThreads(v);
    }

    @Option(names = "--fetch-allow", split = ",", paramLabel = "HOST|*.DOMAIN|CIDR",
            description = "Where images by reference (content-type text/uri-list) may be fetched from: host names,"
                    + " *.domain patterns, address ranges; internal addresses only where a range names them. Empty"
                    + " (the default): nothing is fetched and references are dead-lettered as fetch_forbidden")
    void fetchAllow(List<String> v) {
        builder.fetchAllow(v);
    }

    @Option(names = "--fetch-allow-http", defaultValue = "false",
            description = "Fetch plain http URLs too, not only https (default: ${DEFAULT-VALUE})")
    void fetchAllowHttp(boolean v) {
        builder.fetchAllowHttp(v);
    }

    @Option(names = "--fetch-concurrency", defaultValue = "" + FetchSettings.DEFAULT_CONCURRENCY,
            description = "Fetches in flight per process, in all (default: ${DEFAULT-VALUE})")
    void fetchConcurrency(int v) {
        builder.fetchConcurrency(v);
    }

    @Option(names = "--fetch-per-host", defaultValue = "" + FetchSettings.DEFAULT_PER_HOST,
            description = "Connections per host (default: ${DEFAULT-VALUE})")
    void fetchPerHost(int v) {
        builder.fetchPerHost(v);
    }

    @Option(names = "--fetch-connect-timeout-ms", defaultValue = "" + FetchSettings.DEFAULT_CONNECT_TIMEOUT_MS,
            description = "To open a connection, TLS included (default: ${DEFAULT-VALUE})")
    void fetchConnectTimeoutMs(long v) {
        builder.fetchConnectTimeout(Duration.ofMillis(v));
    }

    @Option(names = "--fetch-first-byte-timeout-ms", defaultValue = "" + FetchSettings.DEFAULT_FIRST_BYTE_TIMEOUT_MS,
            description = "The longest a server may stay silent, before its first byte and between two (default: ${DEFAULT-VALUE})")
    void fetchFirstByteTimeoutMs(long v) {
        builder.fetchFirstByteTimeout(Duration.ofMillis(v));
    }

    @Option(names = "--fetch-timeout-ms", defaultValue = "" + FetchSettings.DEFAULT_TOTAL_TIMEOUT_MS,
            description = "One image's whole fetch, retries and redirects included; then fetch_timeout (default: ${DEFAULT-VALUE})")
    void fetchTimeoutMs(long v) {
        builder.fetchTimeout(Duration.ofMillis(v));
    }

    @Option(names = "--fetch-max-redirects", defaultValue = "" + FetchSettings.DEFAULT_MAX_REDIRECTS,
            description = "Redirects followed, each hop checked against --fetch-allow (default: ${DEFAULT-VALUE})")
    void fetchMaxRedirects(int v) {
        builder.fetchMaxRedirects(v);
    }

    @Option(names = "--decode-timeout-ms", defaultValue = "" + WorkerConfig.DEFAULT_DECODE_TIMEOUT_MS,
            description = "How long one image may take to decode before it is dead-lettered (decode_timeout) and its batch"
                    + " goes on without it; needs --decode-threads of 1 or more (default: ${DEFAULT-VALUE})")
    void decodeTimeoutMs(long v) {
        builder.decodeTimeout(Duration.ofMillis(v));
    }

    @Option(names = "--guarantee", defaultValue = WorkerConfig.DEFAULT_GUARANTEE_NAME, converter = CliEnums.Delivery.class,
            description = "exactly-once (Kafka transactions) or at-least-once (default: ${DEFAULT-VALUE})")
    void guarantee(Guarantee v) {
        builder.guarantee(v);
    }

    @Option(names = "--group-protocol", defaultValue = WorkerConfig.DEFAULT_GROUP_PROTOCOL_NAME,
            converter = CliEnums.Protocol.class,
            description = "Consumer group protocol: consumer (Kafka 4, KIP-848: no stop-the-world rebalances), classic,"
                    + " or auto: consumer where the broker offers it (default: ${DEFAULT-VALUE})")
    void groupProtocol(GroupProtocol v) {
        builder.groupProtocol(v);
    }

    @Option(names = "--static-membership", defaultValue = "" + WorkerConfig.DEFAULT_STATIC_MEMBERSHIP, arity = "1",
            description = "Join with a stable group.instance.id (<transactional-id-prefix>-<thread>), so that a restarted"
                    + " process takes its predecessor's partitions at once; under the consumer protocol it removes the"
                    + " predecessor's members from the group first (default: ${DEFAULT-VALUE})")
    void staticMembership(boolean v) {
        builder.staticMembership(v);
    }

    @Option(names = "--transactional-id-prefix",
            description = "Stable, per-process prefix of the producers' transactional ids (default: fashion-worker-<hostname>,"
                    + " or -1, -2, ... appended for a second, third live process on the host)")
    void transactionalIdPrefix(String v) {
        builder.transactionalIdPrefix(v);
        prefixGiven = true;
    }

    @Option(names = "--max-image-bytes", defaultValue = "" + ImageLimits.DEFAULT_MAX_BYTES,
            description = "Largest accepted record value (default: ${DEFAULT-VALUE})")
    void maxImageBytes(int v) {
        builder.maxImageBytes(v);
    }

    @Option(names = "--max-image-pixels", defaultValue = "" + ImageLimits.DEFAULT_MAX_PIXELS,
            description = "Largest width x height an image header may declare (default: ${DEFAULT-VALUE})")
    void maxImagePixels(long v) {
        builder.maxImagePixels(v);
    }

    @Option(names = "--startup-timeout-ms", defaultValue = "" + WorkerConfig.DEFAULT_STARTUP_TIMEOUT_MS,
            description = "How long to wait for the broker and topics at startup (default: ${DEFAULT-VALUE})")
    void startupTimeoutMs(long v) {
        builder.startupTimeout(Duration.ofMillis(v));
    }

    @Option(names = "--stall-timeout-ms", defaultValue = "" + WorkerConfig.DEFAULT_STALL_TIMEOUT_MS,
            description = "Not ready (/health/ready 503) once a worker holds input it has not answered, or has sent the"
                    + " group coordinator no heartbeat, for this long; keep it well above the heartbeat interval (classic: 3 s;"
                    + " consumer protocol: the broker's group.consumer.heartbeat.interval.ms, 5 s by default)"
                    + " (default: ${DEFAULT-VALUE})")
    void stallTimeoutMs(long v) {
        builder.stallTimeout(Duration.ofMillis(v));
    }

    @Option(names = "--result-headers", split = ",", paramLabel = "NAME",
            description = "Input headers copied to results, comma-separated; headers in the worker's fashion. namespace never"
                    + " are (default: traceparent,tracestate,baggage,label)")
    void resultHeaders(Set<String> v) {
        builder.resultHeaders(v);
    }

    /** Whether --transactional-id-prefix (or its variable or file line) was given, rather than defaulted. */
    boolean prefixGiven() {
        return prefixGiven;
    }

    /** The validated configuration; {@link IllegalArgumentException} names the first bad value. */
    public WorkerConfig toConfig(String bootstrapServers, ConfigSources sources, Map<String, String> env) {
        if (!prefixGiven) {
            builder.transactionalIdPrefix(WorkerConfig.DEFAULT_TRANSACTIONAL_ID_PREFIX + "-" + hostName(env));
        }
        return builder.bootstrapServers(bootstrapServers)
                .kafkaProperties(sources.kafkaProperties(kafkaProperties))
                .build();
    }

    private static double parseFraction(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("review-threshold must be a confidence between 0 and 1, or 'card', not '"
                    + v + "'");
        }
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
