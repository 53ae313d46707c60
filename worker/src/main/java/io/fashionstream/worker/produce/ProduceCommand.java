package io.fashionstream.worker.produce;

import io.fashionstream.core.Json;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.worker.Shutdown;
import io.fashionstream.worker.WorkerCli;
import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.config.ClusterOptions;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.kafka.KafkaUnavailableException;
import io.fashionstream.worker.kafka.Preflight;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code fashion-worker produce}: feeds the pipeline by hand. Publishes a directory of image
 * files, or the shipped test split, to the input topic once or in a loop, at a target rate,
 * with a progress bar (a log line every few seconds when not on a terminal).
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Publish images (a directory, or the shipped test split) to the input topic, once or looping, at a target rate.")
public final class ProduceCommand implements Callable<Integer> {
    static final Duration LOG_INTERVAL = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--topic", defaultValue = WorkerConfig.DEFAULT_INPUT_TOPIC,
            description = "Topic to publish to (default: ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Directory of images (png, jpg, webp, tiff, gif, bmp, raw); default: the shipped Fashion-MNIST test split")
    Path dir;

    @Option(names = "--labels", paramLabel = "CSV",
            description = "CSV of file,label rows (paths relative to --dir); default: labels from sub-folder names")
    Path labels;

    @Option(names = "--rate", defaultValue = "0",
            description = "Images per second; 0 sends as fast as possible (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--loop", description = "Start over at the end, until stopped (or --count images are sent)")
    boolean loop;

    @Option(names = "--count", description = "Images to send in all (default: one pass; with --loop, no limit)")
    Long count;

    @Option(names = "--startup-timeout-ms", defaultValue = "" + WorkerConfig.DEFAULT_STARTUP_TIMEOUT_MS,
            description = "How long to wait for the broker and the topic (default: ${DEFAULT-VALUE})")
    long startupTimeoutMs;

    @Option(names = "--max-image-bytes", defaultValue = "" + ImageLimits.DEFAULT_MAX_BYTES,
            description = "Largest file --dir sends, as the workers' limit; larger ones are counted as not sent (default: ${DEFAULT-VALUE})")
    int maxImageBytes;

    @Option(names = "--json", description = "Print the summary as one JSON object on the last line")
    boolean json;

    private final ConfigSources sources;
    private volatile boolean stopped;

    public ProduceCommand(ConfigSources sources) {
        this.sources = sources;
    }

    /** The summary printed at the end. */
    public record Summary(String topic, String source, long sent, long failed, double seconds, double ratePerSec) {
    }

    @Override
    public Integer call() throws Exception {
        sources.checkFileKeys(spec);
        validate();
        if (labels != null && dir == null) {
            throw new IllegalArgumentException("--labels needs --dir");
        }
        ImageSource source = dir != null ? DirectorySource.open(dir, labels, maxImageBytes)
                : new TestSplitSource(FashionMnist.loadShippedTestSplit());
        long total = count != null ? count : loop ? Long.MAX_VALUE : source.size();
        Map<String, Object> clientProps = cluster.clientProps(sources);
        PrintWriter err = spec.commandLine().getErr();
        try {
            Preflight.checkTopics(clientProps, List.of(topic), Duration.ofMillis(startupTimeoutMs), "--topic");
        } catch (KafkaUnavailableException e) {
            err.println("error: " + e.getMessage());
            return WorkerCli.EXIT_FAILED;
        }
        err.printf("sending %s to %s on %s%s%s%n", source.describe(), topic, cluster.bootstrapServers(),
                rate > 0 ? String.format(" at %.0f/s", rate) : "", total == Long.MAX_VALUE ? ", looping until stopped" : "");
        Shutdown.onSignal(() -> stopped = true);
        long start = System.nanoTime();
        long attempted;
        long failed;
        Exception firstError;
        boolean terminal = System.console() != null;
        try (ImageSender sender = new ImageSender(clientProps, "fashion-produce", topic);
             ProgressBar bar = terminal ? progressBar(total) : null;
             ProgressLog log = terminal ? null : new ProgressLog(err, total, LOG_INTERVAL)) {
            Runnable step = terminal ? bar::step : log::step;
            attempted = sender.send(source, total, rate, (seq, item) -> item.id(), (key, ts) -> step.run(), () -> stopped);
            failed = sender.failed();
            firstError = sender.firstError();
        }
        if (failed > 0) {
            err.printf("error: %,d of %,d images were not sent; first: %s%n", failed, attempted, firstError);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long sent = attempted - failed;
        Summary summary = new Summary(topic, source.describe(), sent, failed, seconds, sent / seconds);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("sent %,d images to %s in %.1f s (%,.0f/s)%s%n", summary.sent(), topic, seconds, summary.ratePerSec(),
                failed > 0 ? String.format(", %,d failed", failed) : "");
        if (json) {
            out.println(Json.line(summary));
        }
        out.flush();
        return failed > 0 ? WorkerCli.EXIT_FAILED : 0;
    }

    private void validate() {
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must not be negative, not " + rate);
        }
        if (count != null && count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, not " + count);
        }
        if (startupTimeoutMs < 1) {
            throw new IllegalArgumentException("--startup-timeout-ms must be positive, not " + startupTimeoutMs);
        }
        if (maxImageBytes < 1) {
            throw new IllegalArgumentException("--max-image-bytes must be positive, not " + maxImageBytes);
        }
        if (topic.isBlank()) {
            throw new IllegalArgumentException("--topic must not be empty");
        }
    }

    /** The bar on a terminal (off one, {@link ProgressLog} prints plain lines instead). */
    private static ProgressBar progressBar(long total) {
        return new ProgressBarBuilder()
                .setTaskName("sent")
                .setInitialMax(total == Long.MAX_VALUE ? -1 : total)
                .setUnit(" img", 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
    }
}
