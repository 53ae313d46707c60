package io.fashionstream.worker.config;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.Precision;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.core.model.ModelLoadException;
import io.fashionstream.core.model.ModelsDirectory;
import io.fashionstream.worker.fetch.FetchSettings;
import io.fashionstream.worker.records.CopiedHeaders;
import io.fashionstream.worker.release.CanaryGuard;
import io.fashionstream.worker.release.RolloutSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every setting of a worker process, immutable and validated when built: the canonical constructor
 * rejects a bad value with a message naming the setting and what is allowed. Defaults and bounds
 * are the named constants below; the command line ({@code WorkerOptions}) binds each option to its
 * {@link Builder} setter, from flags, environment variables and a properties file
 * ({@link ConfigSources}); tests use the builder directly.
 *
 * @param bootstrapServers      Kafka bootstrap servers
 * @param groupId               consumer group shared by every worker thread and process
 * @param inputTopic            topic of catalog images
 * @param resultsTopic          topic the labels are published to
 * @param deadLetterTopic       topic bad inputs are copied to, with the error in headers
 * @param reviewTopic           topic the answers under the review threshold also go to, for people to look at
 * @param reviewThreshold       answers whose confidence is under it are sent for review; null: the model
 *                              card's threshold (none without a card's reference); 0: none
 * @param topK                  classes with their scores that each result lists, best first
 * @param model                 model name in {@code modelsDir}, or path to a {@code .zip} or {@code .onnx}
 * @param engine                what runs the model: ONNX Runtime on its export, or DL4J
 * @param precision             float32, the model's INT8 version, or {@code auto}: INT8 where its card says it pays
 * @param intraOpThreads        ONNX Runtime threads per forward pass; 0: the machine's cores shared
 *                              among the worker threads
 * @param modelsDir             where model names are looked up
 * @param workers               worker threads in this process, each with its own consumer, producer and network
 * @param maxBatch              most records per forward pass
 * @param maxWait               longest a record waits for its batch to fill
 * @param commitInterval        how long a worker thread gathers batches into one transaction (or, at
 *                              least once, one offset commit) before committing; zero commits every batch
 * @param maxLatency            an answer's latency objective, from its record's timestamp to its commit; zero:
 *                              none. With one, batches are sized and units committed from measured costs to
 *                              keep within it ({@link io.fashionstream.worker.batch.LatencyObjective})
 * @param decodeThreads         per worker thread, helpers that decode the next batch during the
 *                              forward pass; 0 decodes on the worker thread
 * @param decodeTimeout         how long one input may take to decode before it is dead-lettered as
 *                              {@code decode_timeout} and its batch goes on without it (needs decode threads)
 * @param guarantee             delivery guarantee
 * @param groupProtocol         consumer group protocol, or {@link GroupProtocol#AUTO} to pick what the broker offers
 * @param staticMembership      whether each worker thread joins with a stable {@code group.instance.id}
 *                              (its transactional id), so that a restarted process takes its predecessor's
 *                              partitions at once (under the consumer protocol, by removing it first)
 * @param transactionalIdPrefix stable prefix of the producers' transactional ids (thread index appended)
 * @param imageLimits           value size and pixel-count limits checked before decoding (and fetching)
 * @param fetch                 how images by reference are fetched; by default not at all
 * @param startupTimeout        how long to wait for the broker and topics before giving up
 * @param stallTimeout          how long a worker may hold input without answering it, or go without
 *                              hearing from the broker, before it reports itself not ready
 * @param rollout               the release topic followed, the gate's tolerance and the canary's bounds
 * @param resultHeaders         the input headers a result carries (never one in the worker's {@code fashion.} namespace)
 * @param kafkaProperties       client settings passed through unchanged (security, tuning)
 */
public record WorkerConfig(
        String bootstrapServers,
        String groupId,
        String inputTopic,
        String resultsTopic,
        String deadLetterTopic,
        String reviewTopic,
        Double reviewThreshold,
        int topK,
        String model,
        EngineKind engine,
        Precision precision,
        int intraOpThreads,
        Path modelsDir,
        int workers,
        int maxBatch,
        Duration maxWait,
        Duration commitInterval,
        Duration maxLatency,
        int decodeThreads,
        Duration decodeTimeout,
        Guarantee guarantee,
        GroupProtocol groupProtocol,
        boolean staticMembership,
        String transactionalIdPrefix,
        ImageLimits imageLimits,
        FetchSettings fetch,
        RolloutSettings rollout,
        Duration startupTimeout,
        Duration stallTimeout,
        Set<String> resultHeaders,
        Map<String, String> kafkaProperties) {

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    public static final String DEFAULT_GROUP_ID = "fashion-workers";
    public static final String DEFAULT_INPUT_TOPIC = "catalog-images";
    public static final String DEFAULT_RESULTS_TOPIC = "catalog-labels";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "catalog-images.dlq";
    public static final String DEFAULT_REVIEW_TOPIC = "catalog-labels.review";
    public static final int DEFAULT_TOP_K = 3;
    public static final String DEFAULT_MODEL = "complex2";
    /** The default engine as the command line names it; {@link #DEFAULT_ENGINE} is what it parses to. */
    public static final String DEFAULT_ENGINE_NAME = "onnxruntime";
    public static final EngineKind DEFAULT_ENGINE = EngineKind.parse(DEFAULT_ENGINE_NAME);
    public static final String DEFAULT_PRECISION_NAME = "auto";
    public static final int DEFAULT_INTRA_OP_THREADS = 0;
    /** The installation's own {@code models/} folder, wherever the command runs from. */
    public static final Path DEFAULT_MODELS_DIR = ModelsDirectory.installed(WorkerConfig.class);
    public static final int DEFAULT_WORKERS = 1;
    public static final int DEFAULT_MAX_BATCH = 64;
    public static final long DEFAULT_MAX_WAIT_MS = 10;
    public static final int DEFAULT_DECODE_THREADS = 1;
    /**
     * A thousand times what a 600x800 photo takes here (about 5 ms), with room for a machine starved
     * of CPU (2 s dead-lettered good images on a 2-core box running three brokers), and still far
     * inside {@code max.poll.interval.ms} (5 minutes).
     */
    public static final long DEFAULT_DECODE_TIMEOUT_MS = 10_000;
    /** Kafka Streams' commit interval under exactly-once. */
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 100;
    public static final String DEFAULT_GUARANTEE_NAME = "exactly-once";
    public static final Guarantee DEFAULT_GUARANTEE = Guarantee.parse(DEFAULT_GUARANTEE_NAME);
    public static final String DEFAULT_GROUP_PROTOCOL_NAME = "auto";
    public static final GroupProtocol DEFAULT_GROUP_PROTOCOL = GroupProtocol.parse(DEFAULT_GROUP_PROTOCOL_NAME);
    public static final boolean DEFAULT_STATIC_MEMBERSHIP = true;
    public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "fashion-worker";
    public static final long DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_STALL_TIMEOUT_MS = 15_000;

    /** The most records one forward pass may take: bounds the preallocated input buffer. */
    public static final int MAX_BATCH_LIMIT = 8192;
    public static final int MAX_WORKERS = 256;
    public static final int MAX_INTRA_OP_THREADS = 256;
    public static final int MAX_DECODE_THREADS = 64;
    /** The longest --max-wait-ms and --commit-interval-ms: a minute. */
    public static final long MAX_WAIT_LIMIT_MS = 60_000;
    public static final long MAX_COMMIT_INTERVAL_MS = 60_000;
    public static final long MIN_DECODE_TIMEOUT_MS = 10;
    public static final long MAX_DECODE_TIMEOUT_MS = 60_000;
    /** Shorter would call a worker stalled between two heartbeats of the classic protocol. */
    public static final long MIN_STALL_TIMEOUT_MS = 1_000;

    /**
     * Client settings the worker owns: overriding them would break the delivery guarantee or the
     * record formats, so the constructor rejects them in {@code kafkaProperties}.
     */
    public static final Set<String> RESERVED_KAFKA_PROPERTIES = Set.of(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            ConsumerConfig.GROUP_PROTOCOL_CONFIG,
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);

    public WorkerConfig {
        kafkaProperties = Map.copyOf(new TreeMap<>(kafkaProperties));
        resultHeaders = Set.copyOf(resultHeaders);
        requireText(bootstrapServers, "bootstrap-servers");
        requireText(groupId, "group-id");
        requireTopic(inputTopic, "input-topic");
        requireTopic(resultsTopic, "results-topic");
        requireTopic(deadLetterTopic, "dead-letter-topic");
        requireTopic(reviewTopic, "review-topic");
        if (List.of(resultsTopic, deadLetterTopic, reviewTopic).contains(rollout.releaseTopic())
                || inputTopic.equals(rollout.releaseTopic())) {
            throw new IllegalArgumentException("release-topic '" + rollout.releaseTopic()
                    + "' must differ from the input, results, dead-letter and review topics");
        }
        if (inputTopic.equals(resultsTopic) || inputTopic.equals(deadLetterTopic) || inputTopic.equals(reviewTopic)) {
            throw new IllegalArgumentException("input-topic '" + inputTopic + "' must differ from results-topic, "
                    + "dead-letter-topic and review-topic (the workers would consume their own output)");
        }
        if (reviewThreshold != null && !(reviewThreshold >= 0 && reviewThreshold <= 1)) {
            throw new IllegalArgumentException("review-threshold must be between 0 and 1 (or 'card'), not " + reviewThreshold);
        }
        requireBetween(topK, 1, FashionClass.values().length, "top-k");
        requireText(model, "model");
        requireText(transactionalIdPrefix, "transactional-id-prefix");
        requireBetween(workers, 1, MAX_WORKERS, "workers");
        requireBetween(maxBatch, 1, MAX_BATCH_LIMIT, "max-batch");
        requireBetween(maxWait.toMillis(), 0, MAX_WAIT_LIMIT_MS, "max-wait-ms");
        requireBetween(intraOpThreads, 0, MAX_INTRA_OP_THREADS, "intra-op-threads (0: automatic)");
        requireBetween(commitInterval.toMillis(), 0, MAX_COMMIT_INTERVAL_MS, "commit-interval-ms");
        requireBetween(maxLatency.toMillis(), 0, MAX_COMMIT_INTERVAL_MS, "max-latency-ms");
        requireBetween(decodeThreads, 0, MAX_DECODE_THREADS, "decode-threads");
        requireBetween(decodeTimeout.toMillis(), MIN_DECODE_TIMEOUT_MS, MAX_DECODE_TIMEOUT_MS, "decode-timeout-ms");
        requireBetween(startupTimeout.toMillis(), 1, Long.MAX_VALUE, "startup-timeout-ms");
        requireBetween(stallTimeout.toMillis(), MIN_STALL_TIMEOUT_MS, Long.MAX_VALUE, "stall-timeout-ms");
        for (String header : resultHeaders) {
            if (header.isBlank() || CopiedHeaders.isWorkers(header)) {
                throw new IllegalArgumentException("result-headers: '" + header + "' cannot be copied to results"
                        + " (empty, or in the worker's own " + CopiedHeaders.WORKER_NAMESPACE + " namespace)");
            }
        }
        for (String key : kafkaProperties.keySet()) {
            if (RESERVED_KAFKA_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("kafka property '" + key
                        + "' is set by the worker itself and cannot be overridden" + hintFor(key));
            }
        }
        KafkaSettings.check(kafkaProperties);
        KafkaSettings.checkProducer(kafkaProperties, guarantee == Guarantee.EXACTLY_ONCE);
    }

    private static WorkerConfig defaults(String bootstrapServers) {
        return new WorkerConfig(bootstrapServers, DEFAULT_GROUP_ID, DEFAULT_INPUT_TOPIC, DEFAULT_RESULTS_TOPIC,
                DEFAULT_DEAD_LETTER_TOPIC, DEFAULT_REVIEW_TOPIC, null, DEFAULT_TOP_K, DEFAULT_MODEL, DEFAULT_ENGINE, Precision.parse(DEFAULT_PRECISION_NAME), DEFAULT_INTRA_OP_THREADS, DEFAULT_MODELS_DIR, DEFAULT_WORKERS,
                DEFAULT_MAX_BATCH, Duration.ofMillis(DEFAULT_MAX_WAIT_MS), Duration.ofMillis(DEFAULT_COMMIT_INTERVAL_MS),
                Duration.ZERO, DEFAULT_DECODE_THREADS, Duration.ofMillis(DEFAULT_DECODE_TIMEOUT_MS), DEFAULT_GUARANTEE,
                DEFAULT_GROUP_PROTOCOL, DEFAULT_STATIC_MEMBERSHIP, DEFAULT_TRANSACTIONAL_ID_PREFIX, ImageLimits.DEFAULTS, FetchSettings.DEFAULTS,
                RolloutSettings.DEFAULTS, Duration.ofMillis(DEFAULT_STARTUP_TIMEOUT_MS), Duration.ofMillis(DEFAULT_STALL_TIMEOUT_MS),
                CopiedHeaders.DEFAULT_RESULT_HEADERS, Map.of());
    }

    private static String hintFor(String key) {
        return switch (key) {
            case ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG -> " (use --bootstrap-servers)";
            case ConsumerConfig.GROUP_ID_CONFIG -> " (use --group-id)";
            case ProducerConfig.TRANSACTIONAL_ID_CONFIG -> " (use --transactional-id-prefix)";
            case ConsumerConfig.GROUP_PROTOCOL_CONFIG -> " (use --group-protocol)";
            case ConsumerConfig.GROUP_INSTANCE_ID_CONFIG -> " (static membership ids derive from --transactional-id-prefix; see --static-membership)";
            case ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG -> " (offsets are committed with the results; see --guarantee)";
            default -> "";
        };
    }

    private static void requireBetween(long value, long min, long max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + (max == Long.MAX_VALUE ? " must be at least " + min
                    : " must be between " + min + " and " + max) + ", not " + value);
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }

    private static void requireTopic(String topic, String name) {
        requireText(topic, name);
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}") || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException(name + " '" + topic
                    + "' is not a valid Kafka topic name (letters, digits, '.', '_', '-'; at most 249)");
        }
    }

    /** ONNX Runtime threads per forward pass: as chosen, or the machine's cores shared among the worker threads. */
    public int effectiveIntraOpThreads() {
        return intraOpThreads > 0 ? intraOpThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
    }

    /** The model to serve, opened with the chosen engine. */
    public ServingModel openModel() throws ModelLoadException {
        return ServingModel.open(model, modelsDir, engine, effectiveIntraOpThreads(), precision);
    }

    /** {@code onnxruntime (2 intra-op threads)} or {@code dl4j}, for start-up lines. */
    public String describeEngine() {
        return engine == EngineKind.ONNXRUNTIME
                ? engine.cliName() + " (" + effectiveIntraOpThreads() + " intra-op thread(s))" : engine.cliName();
    }

    /** A builder holding this configuration's values, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder(defaults(DEFAULT_BOOTSTRAP_SERVERS));
    }

    /** Fluent construction for the command line, the demo and tests. */
    public static final class Builder {
        private String bootstrapServers;
        private String groupId;
        private String inputTopic;
        private String resultsTopic;
        private String deadLetterTopic;
        private String reviewTopic;
        private Double reviewThreshold;
        private int topK;
        private String model;
        private EngineKind engine;
        private Precision precision;
        private int intraOpThreads;
        private Path modelsDir;
        private int workers;
        private int maxBatch;
        private Duration maxWait;
        private Duration commitInterval;
        private Duration maxLatency;
        private int decodeThreads;
        private Duration decodeTimeout;
        private Guarantee guarantee;
        private GroupProtocol groupProtocol;
        private boolean staticMembership;
        private String transactionalIdPrefix;
        private ImageLimits imageLimits;
        // the fetch settings, kept apart until build(): they are checked together
        private List<String> fetchAllow;
        private boolean fetchAllowHttp;
        private int fetchConcurrency;
        private int fetchPerHost;
        private Duration fetchConnectTimeout;
        private Duration fetchFirstByteTimeout;
        private Duration fetchTimeout;
        private int fetchMaxRedirects;
        // the rollout settings, likewise
        private String releaseTopic;
        private double gateTolerance;
        private double canaryMinAgreement;
        private double canaryMaxAccuracyDrop;
        private int canaryMinAnswers;
        private Duration startupTimeout;
        private Duration stallTimeout;
        private Set<String> resultHeaders;
        private Map<String, String> kafkaProperties;

        private Builder(WorkerConfig c) {
            bootstrapServers = c.bootstrapServers;
            groupId = c.groupId;
            inputTopic = c.inputTopic;
            resultsTopic = c.resultsTopic;
            deadLetterTopic = c.deadLetterTopic;
            reviewTopic = c.reviewTopic;
            reviewThreshold = c.reviewThreshold;
            topK = c.topK;
            model = c.model;
            engine = c.engine;
            precision = c.precision;
            intraOpThreads = c.intraOpThreads;
            modelsDir = c.modelsDir;
            workers = c.workers;
            maxBatch = c.maxBatch;
            maxWait = c.maxWait;
            commitInterval = c.commitInterval;
            maxLatency = c.maxLatency;
            decodeThreads = c.decodeThreads;
            decodeTimeout = c.decodeTimeout;
            guarantee = c.guarantee;
            groupProtocol = c.groupProtocol;
            staticMembership = c.staticMembership;
            transactionalIdPrefix = c.transactionalIdPrefix;
            imageLimits = c.imageLimits;
            fetch(c.fetch);
            rollout(c.rollout);
            startupTimeout = c.startupTimeout;
            stallTimeout = c.stallTimeout;
            resultHeaders = c.resultHeaders;
            kafkaProperties = c.kafkaProperties;
        }

        public Builder bootstrapServers(String v) { bootstrapServers = v; return this; }
        public Builder groupId(String v) { groupId = v; return this; }
        public Builder inputTopic(String v) { inputTopic = v; return this; }
        public Builder resultsTopic(String v) { resultsTopic = v; return this; }
        public Builder deadLetterTopic(String v) { deadLetterTopic = v; return this; }
        public Builder reviewTopic(String v) { reviewTopic = v; return this; }
        public Builder reviewThreshold(Double v) { reviewThreshold = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder engine(EngineKind v) { engine = v; return this; }
        public Builder precision(Precision v) { precision = v; return this; }
        public Builder intraOpThreads(int v) { intraOpThreads = v; return this; }
        public Builder modelsDir(Path v) { modelsDir = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder maxBatch(int v) { maxBatch = v; return this; }
        public Builder maxWait(Duration v) { maxWait = v; return this; }
        public Builder commitInterval(Duration v) { commitInterval = v; return this; }
        public Builder maxLatency(Duration v) { maxLatency = v; return this; }
        public Builder decodeThreads(int v) { decodeThreads = v; return this; }
        public Builder decodeTimeout(Duration v) { decodeTimeout = v; return this; }
        public Builder guarantee(Guarantee v) { guarantee = v; return this; }
        public Builder groupProtocol(GroupProtocol v) { groupProtocol = v; return this; }
        public Builder staticMembership(boolean v) { staticMembership = v; return this; }
        public Builder transactionalIdPrefix(String v) { transactionalIdPrefix = v; return this; }
        public Builder imageLimits(ImageLimits v) { imageLimits = v; return this; }
        public Builder maxImageBytes(int v) { imageLimits = new ImageLimits(v, imageLimits.maxPixels()); return this; }
        public Builder maxImagePixels(long v) { imageLimits = new ImageLimits(imageLimits.maxBytes(), v); return this; }
        public Builder fetch(FetchSettings v) {
            fetchAllow = v.allow();
            fetchAllowHttp = v.allowHttp();
            fetchConcurrency = v.concurrency();
            fetchPerHost = v.perHost();
            fetchConnectTimeout = v.connectTimeout();
            fetchFirstByteTimeout = v.firstByteTimeout();
            fetchTimeout = v.totalTimeout();
            fetchMaxRedirects = v.maxRedirects();
            return this;
        }
        public Builder fetchAllow(List<String> v) { fetchAllow = v; return this; }
        public Builder fetchAllowHttp(boolean v) { fetchAllowHttp = v; return this; }
        public Builder fetchConcurrency(int v) { fetchConcurrency = v; return this; }
        public Builder fetchPerHost(int v) { fetchPerHost = v; return this; }
        public Builder fetchConnectTimeout(Duration v) { fetchConnectTimeout = v; return this; }
        public Builder fetchFirstByteTimeout(Duration v) { fetchFirstByteTimeout = v; return this; }
        public Builder fetchTimeout(Duration v) { fetchTimeout = v; return this; }
        public Builder fetchMaxRedirects(int v) { fetchMaxRedirects = v; return this; }
        public Builder rollout(RolloutSettings v) {
            releaseTopic = v.releaseTopic();
            gateTolerance = v.gateTolerance();
            canaryMinAgreement = v.canaryGuard().minAgreement();
            canaryMaxAccuracyDrop = v.canaryGuard().maxAccuracyDrop();
            canaryMinAnswers = v.canaryGuard().minAnswers();
            return this;
        }
        public Builder releaseTopic(String v) { releaseTopic = v; return this; }
        public Builder gateTolerance(double v) { gateTolerance = v; return this; }
        public Builder canaryMinAgreement(double v) { canaryMinAgreement = v; return this; }
        public Builder canaryMaxAccuracyDrop(double v) { canaryMaxAccuracyDrop = v; return this; }
        public Builder canaryMinAnswers(int v) { canaryMinAnswers = v; return this; }
        public Builder startupTimeout(Duration v) { startupTimeout = v; return this; }
        public Builder stallTimeout(Duration v) { stallTimeout = v; return this; }
        public Builder resultHeaders(Set<String> v) { resultHeaders = v; return this; }
        public Builder kafkaProperties(Map<String, String> v) { kafkaProperties = v; return this; }

        /** The configuration; {@link IllegalArgumentException} names the first bad value. */
        public WorkerConfig build() {
            return new WorkerConfig(bootstrapServers, groupId, inputTopic, resultsTopic, deadLetterTopic, reviewTopic,
                    reviewThreshold, topK, model,
                    engine, precision, intraOpThreads, modelsDir, workers, maxBatch, maxWait, commitInterval, maxLatency, decodeThreads,
                    decodeTimeout, guarantee, groupProtocol, staticMembership, transactionalIdPrefix, imageLimits,
                    new FetchSettings(fetchAllow, fetchAllowHttp, fetchConcurrency, fetchPerHost, fetchConnectTimeout,
                            fetchFirstByteTimeout, fetchTimeout, fetchMaxRedirects),
                    new RolloutSettings(releaseTopic == null ? "" : releaseTopic, gateTolerance,
                            new CanaryGuard(canaryMinAgreement, canaryMaxAccuracyDrop, canaryMinAnswers)),
                    startupTimeout, stallTimeout, resultHeaders, kafkaProperties);
        }
    }
}
