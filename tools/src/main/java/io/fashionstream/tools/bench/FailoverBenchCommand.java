package io.fashionstream.tools.bench;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.worker.produce.TestSplitSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bench failover}: worker processes killed and restarted, and the broker restarted, under a steady load. */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Worker and broker crashes under load, per group protocol: how long each partition waits (about"
                + " 4 minutes per scenario).")
public final class FailoverBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchReportOptions report;

    @Mixin
    ServedModelOptions served;

    @Option(names = "--scenarios", split = ",", defaultValue = "consumer-static,consumer,classic-static,classic-dynamic",
            description = "Group protocol and membership settings to compare (default: ${DEFAULT-VALUE})")
    List<String> scenarios;

    @Option(names = "--kills", defaultValue = "2",
            description = "Worker SIGKILLs per scenario, each followed by a restart (default: ${DEFAULT-VALUE})")
    int kills;

    @Option(names = "--brokers", defaultValue = "1",
            description = "1: one broker, SIGKILLed and restarted; 3: a cluster (replication 3, min.insync.replicas 2), the"
                    + " leader of the input partitions and the transaction coordinator SIGKILLed in turn (default: ${DEFAULT-VALUE})")
    int brokers;

    @Option(names = "--combined",
            description = "The whole story in one run: a backlog (--backlog), the worker kills with restarts, the broker"
                    + " faults, then a third worker joining and leaving")
    boolean combined;

    @Option(names = "--backlog", description = "Inputs written before the workers start (default: 20000 with --combined, else 0)")
    Long backlog;

    @Option(names = "--rate", defaultValue = "200", description = "Images sent per second throughout (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--observe-seconds", defaultValue = "50",
            description = "How long answers are watched after each crash; above the broker's 45 s group session timeout"
                    + " to show what waits for it (default: ${DEFAULT-VALUE})")
    double observeSeconds;

    @Override
    public Integer call() throws Exception {
        if (backlog != null && backlog < 0) {
            throw new IllegalArgumentException("--backlog must not be negative, not " + backlog);
        }
        if (brokers != 1 && brokers != 3) {
            throw new IllegalArgumentException("--brokers must be 1 or 3, not " + brokers);
        }
        if (kills < 0 || rate <= 0 || observeSeconds <= 0) {
            throw new IllegalArgumentException("--kills must not be negative, --rate and --observe-seconds must be positive");
        }
        List<FailoverBench.Scenario> parsed = scenarios.stream().map(FailoverBench.Scenario::parse).toList();
        MachineInfo machine = BenchReportOptions.announceMachine(spec);
        PrintWriter err = spec.commandLine().getErr();
        FailoverBench bench = new FailoverBench(new TestSplitSource(FashionMnist.loadShippedTestSplit()), served.workerArgs(),
                report.modelsDir, kills, brokers, backlog != null ? backlog : combined ? 20_000 : 0, combined,
                rate, Duration.ofMillis((long) (observeSeconds * 1000)),
                report.out.resolve("failover-logs"), err);
        List<FailoverBench.Result> results = new ArrayList<>();
        for (FailoverBench.Scenario scenario : parsed) {
            err.printf("failover %s: a broker and two worker processes, %.0f images/s...%n", scenario.cliName, rate);
            results.add(bench.run(scenario));
        }
        report.write(new BenchCommand.Report(Instant.now().toString(), machine, null, null, null, results, null), spec);
        return 0;
    }
}
