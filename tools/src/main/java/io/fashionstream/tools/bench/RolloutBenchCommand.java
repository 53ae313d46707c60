package io.fashionstream.tools.bench;

import io.fashionstream.core.data.FashionMnist;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bench rollout}: a rollout under load, step by step, with the worker's memory. */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "A rollout under steady load with the release commands (new primary, shadow, canary, promote,"
                + " retire, rollback): answers per release, latency, pauses, time to switch and the worker's resident"
                + " memory under the deployment's heap limit (about 4 minutes with the defaults).")
public final class RolloutBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchReportOptions report;

    @Option(names = "--rate", defaultValue = "300", description = "Images sent per second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--step-seconds", defaultValue = "30", description = "How long each step is watched (default: ${DEFAULT-VALUE})")
    long stepSeconds;

    @Override
    public Integer call() throws Exception {
        if (rate <= 0 || stepSeconds < 5) {
            throw new IllegalArgumentException("--rate must be positive and --step-seconds at least 5");
        }
        MachineInfo machine = BenchReportOptions.announceMachine(spec);
        PrintWriter err = spec.commandLine().getErr();
        Path logs = Files.createTempDirectory("rollout-bench");
        err.printf("the broker's and the worker's logs: %s%n", logs);
        RolloutBench.Report result = new RolloutBench(FashionMnist.loadShippedTestSplit(), report.modelsDir, rate,
                stepSeconds, logs, err).run(machine.describe());
        report.write("rollout", result, markdown(result), spec);
        return 0;
    }

    static String markdown(RolloutBench.Report r) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "# Rollout under load: %.0f images/s, one worker (%s)%n%nMachine: %s%n%n",
                r.ratePerSecond(), r.jvm(), r.machine()));
        md.append("| step | command | answered | p50 / p99 ms | longest pause s | new release answers after s |"
                + " peak RSS MiB | answers by release |\n|---|---|---|---|---|---|---|---|\n");
        for (RolloutBench.Step s : r.steps()) {
            StringBuilder by = new StringBuilder();
            for (Map.Entry<String, Long> e : new java.util.TreeMap<>(s.answersByRelease()).entrySet()) {
                by.append(by.isEmpty() ? "" : ", ").append(e.getKey()).append(": ").append(String.format(Locale.ROOT, "%,d", e.getValue()));
            }
            md.append(String.format(Locale.ROOT, "| %s | `%s` | %,d | %.0f / %.0f | %.2f | %s | %d | %s |%n", s.expect(),
                    s.command(), s.answered(), s.p50Ms(), s.p99Ms(), s.longestPauseSeconds(),
                    Double.isNaN(s.newReleaseAfterSeconds()) ? "-" : String.format(Locale.ROOT, "%.2f", s.newReleaseAfterSeconds()),
                    s.peakRssBytes() >> 20, by));
        }
        md.append(String.format(Locale.ROOT, "%nSent %,d, answered %,d, duplicates %d, unanswered %d. Peak resident memory"
                        + " of the worker (VmHWM): %d MiB, against the deployment's limit of %d MiB.%n", r.sent(), r.answered(),
                r.duplicates(), r.unanswered(), r.peakRssBytes() >> 20, r.memoryLimitBytes() >> 20));
        md.append("\nThe release topic's history afterwards (`fashion-worker release list`):\n\n| at | action | live |"
                + " reason | by |\n|---|---|---|---|---|\n");
        for (io.fashionstream.worker.release.Rollout h : r.history()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", h.at(), h.action(), h.describe(),
                    h.reason() == null ? "" : h.reason(), h.by()));
        }
        return md.toString();
    }
}
