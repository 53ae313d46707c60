package io.fashionstream.tools.demo;

import io.fashionstream.core.Json;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.kafkakit.KafkaBrokerProcess;
import io.fashionstream.worker.Shutdown;
import io.fashionstream.worker.WorkerCli;
import io.fashionstream.worker.WorkerOptions;
import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.kafka.KafkaClients;
import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.produce.ImageSender;
import io.fashionstream.worker.produce.TestSplitSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code fashion-worker demo}: the whole pipeline on one machine. Starts its own Kafka broker (a
 * child process logging to a file, {@link KafkaBrokerProcess}) or uses {@code --bootstrap-servers},
 * creates the topics, runs the worker pool, replays the shipped test split as PNG images with
 * labels, and reports throughput, latency and accuracy.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Replay the Fashion-MNIST test split through Kafka and the worker pool; report throughput, latency, accuracy.")
public final class DemoCommand implements Callable<Integer> {
    /** The demo gives up when no answer arrives for this long. */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);
    /** A one-node broker with few internal-topic partitions, so that the first group and transaction start quickly. */
    private static final Map<String, String> DEMO_BROKER = Map.of("offsets.topic.num.partitions", "6",
            "transaction.state.log.num.partitions", "6");
    /**
     * The broker's JVM compiles with C1 only: in a run of seconds on a few cores, C2 compiling a
     * cold broker took CPU from the worker (about a sixth of the demo's rate here; with C1 only the
     * demo answered as fast as with the broker inside its own JVM).
     */
    private static final List<String> DEMO_BROKER_JVM = List.of("-XX:TieredStopAtLevel=1");

    @Spec
    CommandSpec spec;

    @Option(names = "--images", defaultValue = "10000",
            description = "Images to send; the 10,000 test images are cycled beyond that (default: ${DEFAULT-VALUE})")
    long images;

    @Option(names = "--rate", defaultValue = "0",
            description = "Images per second to send; 0 sends as fast as possible (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--bootstrap-servers",
            description = "Use this Kafka cluster instead of the demo's own broker (fresh topics are created and deleted)")
    String bootstrapServers;

    @Option(names = "--json", description = "Print the summary as one JSON object on the last line")
    boolean json;

    @Option(names = "--broker-log", paramLabel = "FILE",
            description = "Where the demo's own broker writes its log, kept out of the terminal (default: ${DEFAULT-VALUE})")
    Path brokerLog = Path.of(System.getProperty("java.io.tmpdir"), "fashion-demo-broker.log");

    @Mixin
    WorkerOptions options;

    private final Map<String, String> env;
    private final ConfigSources sources;
    private volatile boolean interrupted;

    public DemoCommand(Map<String, String> env, ConfigSources sources) {
        this.env = env;
        this.sources = sources;
    }

    @Override
    public Integer call() throws Exception {
        sources.checkFileKeys(spec);
        if (images < 1) {
            throw new IllegalArgumentException("--images must be at least 1, not " + images);
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must not be negative, not " + rate);
        }
        WorkerConfig config = options.toConfig(bootstrapServers == null ? "embedded" : bootstrapServers, sources, env);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LabelledImages testSplit = FashionMnist.loadShippedTestSplit();

        KafkaBrokerProcess broker = null;
        try (ServingModel model = config.openModel()) {
            if (bootstrapServers == null) {
                err.printf("starting a Kafka broker (KRaft, single node; its log: %s)...%n", brokerLog);
                Files.deleteIfExists(brokerLog);
                broker = KafkaBrokerProcess.start(DEMO_BROKER, brokerLog, DEMO_BROKER_JVM);
                config = config.toBuilder().bootstrapServers(broker.bootstrapServers()).build();
            } else {
                // Fresh topics and group on a shared cluster, so earlier data cannot mix in.
                config = DemoTopics.forFreshRun(config, "demo");
            }
            return runDemo(config, model, testSplit, broker == null, out, err);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private int runDemo(WorkerConfig config, ServingModel model, LabelledImages testSplit, boolean external,
                        PrintWriter out, PrintWriter err) throws Exception {
        Map<String, Object> clientProps = KafkaClients.common(config);
        DemoTopics.create(clientProps, config);
        err.printf("topics: %s (%d partitions) -> %s, dead letters %s%n", config.inputTopic(),
                DemoTopics.INPUT_PARTITIONS, config.resultsTopic(), config.deadLetterTopic());
        SendLog sentAt = new SendLog("item-");
        ResultTally tally = new ResultTally(clientProps, config.resultsTopic(), config.deadLetterTopic(), sentAt);
        Thread tallyThread = new Thread(tally, "fashion-demo-tally");
        tallyThread.start();
        long sent;
        long startMillis;
        try (WorkerPool pool = WorkerPool.start(config, model, new SimpleMeterRegistry());
             ImageSender sender = new ImageSender(clientProps, "fashion-demo-producer", config.inputTopic())) {
            err.printf("model %s (%s) on %s, %d worker(s), max batch %d, max wait %d ms, %s; sending %,d images%s%n",
                    model.name(), model.version(), config.describeEngine(), config.workers(), config.maxBatch(), config.maxWait().toMillis(),
                    config.guarantee().cliName(), images, rate > 0 ? String.format(" at %.0f/s", rate) : "");
            Shutdown.onSignal(() -> interrupted = true);
            ProgressLine progress = new ProgressLine(err, images);
            // The rate, live and in the summary, counts from the first image sent: the broker and the
            // workers' start before it are not part of it.
            startMillis = System.currentTimeMillis();
            Thread progressThread = new Thread(() -> progress.runUntil(tally, sentAt::size, () -> interrupted, startMillis),
                    "fashion-demo-progress");
            progressThread.setDaemon(true);
            progressThread.start();
            // Every record gets its own key, so answers can be matched to sends however often the split is cycled.
            sent = sender.send(new TestSplitSource(testSplit), images, rate, (seq, item) -> ImageSender.sequenceKey("item-", seq),
                    sentAt, () -> interrupted || pool.failure().isPresent());
            if (sender.failed() > 0) {
                progress.stop();
                err.printf("error: %,d images could not be sent; first: %s%n", sender.failed(), sender.firstError());
                return WorkerCli.EXIT_FAILED;
            }
            tally.awaitAnswered(sent, STALL_TIMEOUT, () -> interrupted || pool.failure().isPresent());
            progress.stop();
            progressThread.join();
            if (pool.failure().isPresent()) {
                err.println("error: worker failed: " + pool.failure().get().getMessage());
                return WorkerCli.EXIT_FAILED;
            }
        } finally {
            tally.stop();
            tallyThread.join();
        }
        ResultTally.Snapshot s = tally.snapshot();
        double seconds = Math.max(1, s.lastAnswerMillis() - startMillis) / 1000.0;
        DemoSummary summary = new DemoSummary(sent, s.classified(), s.deadLettered(), s.duplicates(), s.accuracy(),
                s.answered() / seconds, s.p50Ms(), s.p99Ms(), s.meanBatchSize(), model.name(), model.version(),
                config.describeEngine(), model.card().map(ModelCard::testAccuracy).orElse(Double.NaN), config.workers(), config.maxBatch(),
                config.maxWait().toMillis(), config.guarantee().cliName(), seconds,
                external ? config.bootstrapServers() : "embedded");
        printSummary(summary, out);
        if (external) {
            DemoTopics.delete(clientProps, DemoTopics.names(config));
        }
        if (s.answered() < sent && !interrupted) {
            err.printf("error: only %,d of %,d images were answered within %d s of the last answer%n",
                    s.answered(), sent, STALL_TIMEOUT.toSeconds());
            return WorkerCli.EXIT_FAILED;
        }
        return 0;
    }

    private void printSummary(DemoSummary s, PrintWriter out) {
        out.printf("%nsent %,d, classified %,d, dead-lettered %,d, duplicates %d%n", s.sent(), s.classified(),
                s.deadLettered(), s.duplicates());
        out.printf("accuracy %.4f (model card: %.4f)%n", s.accuracy(), s.cardAccuracy());
        out.printf("throughput %,.0f images/s (answers per second from the first image sent to the last answer, %.1f s);"
                        + " latency from send to answer visible p50 %.0f ms, p99 %.0f ms; mean batch %.1f%n",
                s.throughputPerSec(), s.seconds(), s.p50Ms(), s.p99Ms(), s.meanBatchSize());
        if (json) {
            out.println(Json.line(s));
        }
        out.flush();
    }
}
