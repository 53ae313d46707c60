package io.fashionstream.tools.bench;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.worker.config.WorkerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code bench fetch}: photos by reference from a loopback server with latency and failures, against the same as bytes. */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "Photos per second by reference (a loopback HTTP server with latency and failures) against the same"
                + " photos sent as bytes, one worker with the defaults (about 1 minute).")
public final class FetchBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchReportOptions report;

    @Option(names = "--model", defaultValue = WorkerConfig.DEFAULT_MODEL, description = "(default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--images", defaultValue = "6000", description = "Photos per kind of input (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--distinct", defaultValue = "500", description = "Distinct photos rendered and served (default: ${DEFAULT-VALUE})")
    int distinct;

    @Option(names = "--latency-ms", defaultValue = "50", description = "The server's latency per request (default: ${DEFAULT-VALUE})")
    long latencyMs;

    @Option(names = "--retried-share", defaultValue = "0.02",
            description = "Share of photos answered 503 the first time (default: ${DEFAULT-VALUE})")
    double retriedShare;

    @Option(names = "--missing-share", defaultValue = "0.005", description = "Share of photos answered 404 (default: ${DEFAULT-VALUE})")
    double missingShare;

    @Override
    public Integer call() throws Exception {
        if (images < 1 || distinct < 1 || latencyMs < 0 || retriedShare < 0 || missingShare < 0
                || retriedShare + missingShare > 1) {
            throw new IllegalArgumentException("--images and --distinct positive, --latency-ms and the shares not negative");
        }
        MachineInfo machine = BenchReportOptions.announceMachine(spec);
        PrintWriter err = spec.commandLine().getErr();
        WorkerConfig base = WorkerConfig.builder().model(model).modelsDir(report.modelsDir)
                .fetchAllow(List.of("127.0.0.1/32")).fetchAllowHttp(true).build();
        List<FetchBench.Run> runs;
        try (ServingModel served = base.openModel()) {
            runs = new FetchBench(FashionMnist.loadShippedTestSplit(), served, base, images, distinct, latencyMs,
                    retriedShare, missingShare, err).run();
        }
        FetchBench.Report result = new FetchBench.Report(machine.describe(), model, distinct, latencyMs, retriedShare,
                missingShare, runs, Math.round(1000 * runs.get(1).perSecond() / runs.get(0).perSecond()) / 1000.0);
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "# Photos by reference: %s, 600x800 JPEG, server"
                        + " latency %d ms, %.1f%% answered 503 once, %.1f%% missing%n%nMachine: %s%n%n| inputs | photos |"
                        + " classified | dead letters | seconds | photos/s |%n|---|---|---|---|---|---|%n", model, latencyMs,
                100 * retriedShare, 100 * missingShare, machine.describe()));
        for (FetchBench.Run r : runs) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %.1f | %,.0f |%n", r.inputs(), r.images(),
                    r.classified(), r.deadLettered(), r.seconds(), r.perSecond()));
        }
        md.append(String.format(Locale.ROOT, "%nBy reference at %.0f%% of the bytes rate.%n",
                100 * result.referenceToBytesRatio()));
        report.write("fetch", result, md.toString(), spec);
        return 0;
    }
}
