package io.fashionstream.tools.bench;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.worker.config.WorkerConfig;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bench drift}: the drift drill, skewed streams against a real Prometheus running the alert rules. */
@Command(name = "drift", mixinStandardHelpOptions = true,
        description = "The drift drill: normal traffic, then one class only, inverted images and another studio's photos,"
                + " with a real Prometheus running the alert rules: how long each alert takes to fire, and that none fires"
                + " on normal traffic (about 20 minutes with the defaults; needs the prometheus binary).")
public final class DriftDrillCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchReportOptions report;

    @Option(names = "--model", defaultValue = WorkerConfig.DEFAULT_MODEL, description = "The model the worker serves (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--rate", defaultValue = "50", description = "Images sent per second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--phase-seconds", defaultValue = "180",
            description = "Length of each skewed stream; the alerts wait 2 minutes before firing (default: ${DEFAULT-VALUE})")
    long phaseSeconds;

    @Option(names = "--normal-seconds", description = "Length of the normal traffic first (default: as long as the three"
            + " skewed streams together)")
    Long normalSeconds;

    @Option(names = "--gap-seconds", defaultValue = "60",
            description = "Normal traffic between two skewed streams, while the last alerts resolve (default: ${DEFAULT-VALUE})")
    long gapSeconds;

    @Option(names = "--prometheus-dir", description = "The Prometheus configuration and rules (default: deploy/prometheus"
            + " beside the models folder)")
    Path prometheusDir;

    @Override
    public Integer call() throws Exception {
        if (rate <= 0 || phaseSeconds < 1 || gapSeconds < 0 || (normalSeconds != null && normalSeconds < 1)) {
            throw new IllegalArgumentException("--rate, --phase-seconds and --normal-seconds must be positive, --gap-seconds not negative");
        }
        Path deploy = prometheusDir != null ? prometheusDir
                : report.modelsDir.toAbsolutePath().getParent().resolve("deploy").resolve("prometheus");
        if (!Files.isRegularFile(deploy.resolve("prometheus.yml"))) {
            throw new IllegalArgumentException("no prometheus.yml in " + deploy + " (--prometheus-dir)");
        }
        MachineInfo machine = BenchReportOptions.announceMachine(spec);
        PrintWriter err = spec.commandLine().getErr();
        Path work = Files.createTempDirectory("drift-drill");
        err.printf("the worker's and Prometheus's logs: %s%n", work);
        DriftDrill drill = new DriftDrill(FashionMnist.loadShippedTestSplit(), model, report.modelsDir, deploy, rate,
                Duration.ofSeconds(phaseSeconds), Duration.ofSeconds(normalSeconds != null ? normalSeconds : 3 * phaseSeconds),
                Duration.ofSeconds(gapSeconds), work, err);
        List<DriftDrill.Phase> phases = drill.run();
        DriftDrill.Report result = new DriftDrill.Report(machine.describe(), model, rate, phases);
        report.write("drift", result, markdown(result), spec);
        return 0;
    }

    static String markdown(DriftDrill.Report r) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "# Drift drill: %s at %.0f images/s%n%nMachine: %s%n%n", r.model(),
                r.ratePerSecond(), r.machine()));
        md.append("| phase | seconds | sent | alerts fired (seconds after the phase began) |\n|---|---|---|---|\n");
        for (DriftDrill.Phase p : r.phases()) {
            String fired = p.firedAfterSeconds().isEmpty() ? "none" : String.join(", ", p.firedAfterSeconds().entrySet()
                    .stream().map(e -> e.getKey() + " " + e.getValue() + " s").toList());
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %,d | %s |%n", p.description(), p.seconds(), p.sent(), fired));
        }
        md.append("\nSignals at the end of each phase:\n\n| phase |");
        List<String> names = r.phases().get(0).signals().keySet().stream().toList();
        names.forEach(n -> md.append(' ').append(n).append(" |"));
        md.append("\n|---|").append("---|".repeat(names.size())).append('\n');
        for (DriftDrill.Phase p : r.phases()) {
            md.append("| ").append(p.traffic()).append(" |");
            for (Map.Entry<String, Double> e : p.signals().entrySet()) {
                md.append(' ').append(e.getValue().isNaN() ? "-" : String.format(Locale.ROOT, "%.4g", e.getValue())).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }
}
