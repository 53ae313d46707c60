package io.fashionstream.tools.bench;

import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.kafkakit.KafkaBrokerProcess;
import io.fashionstream.tools.demo.DemoTopics;
import io.fashionstream.tools.demo.ResultTally;
import io.fashionstream.tools.demo.SendLog;
import io.fashionstream.worker.WorkerCli;
import io.fashionstream.worker.produce.ImageSender;
import io.fashionstream.worker.produce.TestSplitSource;
import io.fashionstream.worker.release.ReleaseLog;
import io.fashionstream.worker.release.Rollout;
import org.apache.kafka.clients.CommonClientConfigs;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A rollout under steady load, as an operator runs it with the {@code release} commands: one
 * worker process (with the deployment's heap limit) follows the release topic of a broker in a
 * process of its own while images arrive at a fixed rate; each step runs one command and watches
 * what the answers and the worker's memory do until the next. What it measures: answers per
 * release, latency from send to visible answer, the longest pause in answering, how long until the
 * new release answers, the worker's resident memory, and at the end duplicates and lost inputs.
 */
final class RolloutBench {
    /** The heap the deployment gives a worker: MaxRAMPercentage=50 of its 2 GiB limit. */
    static final List<String> DEPLOYMENT_JVM = List.of("-XX:MaxRAMPercentage=50", "-XX:MaxRAM=2g",
            "-XX:+ExitOnOutOfMemoryError");
    static final long DEPLOYMENT_MEMORY_LIMIT = 2L << 30;

    /** One command of the rollout and what followed it. */
    record Step(String command, String expect, double seconds, long answered, Map<String, Long> answersByRelease,
                double p50Ms, double p99Ms, double longestPauseSeconds, double newReleaseAfterSeconds,
                long peakRssBytes) {
    }

    /** @param history the release topic's rollouts at the end: what was live when */
    record Report(String machine, double ratePerSecond, String jvm, long memoryLimitBytes, List<Step> steps, long sent,
                  long answered, long duplicates, long unanswered, long peakRssBytes, List<Rollout> history) {
    }

    private final LabelledImages images;
    private final Path modelsDir;
    private final double rate;
    private final long stepSeconds;
    private final Path logs;
    private final PrintWriter err;

    RolloutBench(LabelledImages images, Path modelsDir, double rate, long stepSeconds, Path logs, PrintWriter err) {
        this.images = images;
        this.modelsDir = modelsDir;
        this.rate = rate;
        this.stepSeconds = stepSeconds;
        this.logs = logs;
        this.err = err;
    }

    Report run(String machine) throws Exception {
        Files.createDirectories(logs);
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(Map.of())) {
            String bootstrap = broker.bootstrapServers();
            Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            String run = "rollout";
            DemoTopics.create(client, run + ".images", run + ".labels", run + ".dlq", run + ".review");
            List<String> release = List.of("--bootstrap-servers", bootstrap, "--release-topic", run + ".models");
            command(release, "publish", "--model", "simple", "--models-dir", modelsDir.toString());
            WorkerProcess worker = new WorkerProcess("a", DEPLOYMENT_JVM, List.of("--bootstrap-servers", bootstrap,
                    "--input-topic", run + ".images", "--results-topic", run + ".labels", "--dead-letter-topic", run + ".dlq",
                    "--review-topic", run + ".review", "--release-topic", run + ".models", "--group-id", run,
                    "--transactional-id-prefix", run + "-a", "--model", "simple", "--models-dir", modelsDir.toString()),
                    logs.resolve("rollout-worker.log"));
            SendLog sentAt = new SendLog("item-");
            AnswerTimeline timeline = new AnswerTimeline();
            List<Long> stepLatencies = new ArrayList<>();
            ResultTally tally = new ResultTally(client, run + ".labels", run + ".dlq", sentAt, (id, partition, nanos) -> {
                timeline.add(partition, nanos);
                long sent = sentAt.sentAt(id);
                if (sent != SendLog.NOT_SENT) {
                    synchronized (stepLatencies) {
                        stepLatencies.add(System.currentTimeMillis() - sent);
                    }
                }
            });
            Thread reader = new Thread(tally, "rollout-reader");
            reader.start();
            ImageSender sender = new ImageSender(client, "rollout-sender", run + ".images");
            AtomicBoolean stop = new AtomicBoolean();
            Thread sending = null;
            RssSampler rss = null;
            try {
                worker.start();
                worker.awaitReady();
                rss = new RssSampler(worker.pid());
                rss.start();
                sending = new Thread(() -> sender.send(new TestSplitSource(images, true), Long.MAX_VALUE, rate,
                        (i, item) -> "item-" + i, sentAt, stop::get), "rollout-sender");
                sending.start();
                List<Step> steps = new ArrayList<>();
                steps.add(step(release, List.of(), "simple primary", "steady state on simple", tally, timeline,
                        stepLatencies, rss));
                String dir = modelsDir.toString();
                steps.add(step(release, List.of("publish", "--model", "complex1", "--models-dir", dir),
                        "complex1 primary", "switch to a new primary", tally, timeline, stepLatencies, rss));
                steps.add(step(release, List.of("publish", "--model", "complex2", "--as", "shadow", "--models-dir", dir),
                        "", "a shadow beside it: two models", tally, timeline, stepLatencies, rss));
                steps.add(step(release, List.of("publish", "--model", "simple", "--as", "canary", "--canary-share", "0.2",
                        "--models-dir", dir), "simple canary", "and a 20% canary: three models", tally, timeline,
                        stepLatencies, rss));
                steps.add(step(release, List.of("promote"), "simple primary", "the canary promoted", tally, timeline,
                        stepLatencies, rss));
                steps.add(step(release, List.of("retire", "--role", "shadow"), "", "the shadow retired", tally, timeline,
                        stepLatencies, rss));
                steps.add(step(release, List.of("rollback"), "complex1 primary", "rolled back to complex1", tally,
                        timeline, stepLatencies, rss));
                stop.set(true);
                sending.join();
                tally.awaitAnswered(sentAt.size(), java.time.Duration.ofSeconds(60), () -> false);
                ResultTally.Snapshot s = tally.snapshot();
                List<Rollout> history;
                try (ReleaseLog log = new ReleaseLog(client, run + ".models")) {
                    log.catchUp(java.time.Duration.ofSeconds(30));
                    history = log.history();
                }
                return new Report(machine, rate, String.join(" ", DEPLOYMENT_JVM), DEPLOYMENT_MEMORY_LIMIT, steps,
                        sentAt.size(), s.answered(), s.duplicates(), sentAt.size() - s.answered(), rss.highWaterMark(),
                        history);
            } finally {
                stop.set(true);
                if (sending != null) {
                    sending.join(30_000);
                }
                if (rss != null) {
                    rss.interrupt();
                }
                sender.close();
                worker.stop();
                tally.stop();
                reader.join(10_000);
            }
        }
    }

    /**
     * Runs {@code release <args>} (none: nothing, a steady step), then watches the answers for the
     * step's length; {@code expect} names the model whose answers in its new role the step waits for
     * ({@code "complex2 primary"}: the first answer by a complex2 release as primary).
     */
    private Step step(List<String> release, List<String> args, String expect, String what, ResultTally tally,
                      AnswerTimeline timeline, List<Long> latencies, RssSampler rss) throws Exception {
        synchronized (latencies) {
            latencies.clear();
        }
        tally.forgetFirstAnswers();
        rss.resetPeak();
        Map<String, Long> before = tally.answersByRelease();
        long answeredBefore = tally.answered();
        long start = System.nanoTime();
        if (!args.isEmpty()) {
            command(release, args.toArray(String[]::new));
        }
        long commanded = System.nanoTime();
        Thread.sleep(stepSeconds * 1000);
        long end = System.nanoTime();
        Map<String, Long> in = new HashMap<>();
        tally.answersByRelease().forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0) {
                in.put(k, d);
            }
        });
        double newAfter = Double.NaN;
        if (!expect.isEmpty() && !args.isEmpty()) {
            String[] modelAndRole = expect.split(" ");
            long first = in.keySet().stream().filter(k -> k.startsWith(modelAndRole[0] + "-") && k.endsWith(" " + modelAndRole[1]))
                    .mapToLong(tally::firstAnswerBy).filter(t -> t > 0).min().orElse(-1);
            newAfter = first < 0 ? Double.NaN : (first - commanded) / 1e9;
        }
        long[] sorted;
        synchronized (latencies) {
            sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        List<String> shown = new ArrayList<>(args);
        int dir = shown.indexOf("--models-dir");
        if (dir >= 0) {
            shown.subList(dir, dir + 2).clear();
        }
        Step step = new Step(args.isEmpty() ? "(none)" : "release " + String.join(" ", shown), what,
                (end - start) / 1e9, tally.answered() - answeredBefore, in, percentile(sorted, 0.50),
                percentile(sorted, 0.99), timeline.longestPause(start, end), newAfter, rss.peak());
        err.printf(java.util.Locale.ROOT, "%-40s answered %,d p99 %.0f ms longest pause %.2f s new release after %.2f s"
                        + " peak RSS %d MiB %s%n", what, step.answered(), step.p99Ms(), step.longestPauseSeconds(),
                step.newReleaseAfterSeconds(), step.peakRssBytes() >> 20, in);
        return step;
    }

    private void command(List<String> release, String... args) {
        List<String> all = new ArrayList<>(List.of("release"));
        all.addAll(List.of(args));
        all.addAll(release);
        int code = WorkerCli.run(Map.of(), all.toArray(String[]::new));
        if (code != 0) {
            throw new IllegalStateException("'" + String.join(" ", all) + "' exited with " + code);
        }
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }

    /** Reads a process's resident memory every 100 ms from {@code /proc}: the peak since a reset, and the high-water mark. */
    static final class RssSampler extends Thread {
        private final long pid;
        private final AtomicLong peak = new AtomicLong();

        RssSampler(long pid) {
            super("rss-sampler");
            setDaemon(true);
            this.pid = pid;
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                long now = status("VmRSS:");
                peak.accumulateAndGet(now, Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long peak() {
            return peak.get();
        }

        void resetPeak() {
            peak.set(status("VmRSS:"));
        }

        /** The process's peak resident memory since it started (VmHWM). */
        long highWaterMark() {
            return status("VmHWM:");
        }

        private long status(String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith(field)) {
                        return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return 0; // gone, or not Linux
            }
            return 0;
        }
    }
}
