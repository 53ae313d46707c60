package io.fashionstream.tools.bench;

import io.fashionstream.core.Json;
import io.fashionstream.worker.config.WorkerConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every bench shares: where models are found and where its report goes (a picocli mixin). */
public final class BenchReportOptions {
    @Option(names = "--models-dir", description = "Where model names are looked up (default: the installation's models/ folder)")
    Path modelsDir = WorkerConfig.DEFAULT_MODELS_DIR;

    @Option(names = "--out", defaultValue = "bench-results", description = "Report directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--json", description = "Print the report as one JSON object on the last line")
    boolean json;

    /** Writes {@code bench.json} and {@code bench.md} (and the pipeline's chart), and prints the table. */
    void write(BenchCommand.Report report, CommandSpec spec) throws IOException {
        Files.createDirectories(out);
        String markdown = BenchMarkdown.of(report);
        Files.writeString(out.resolve("bench.json"), Json.MAPPER.writeValueAsString(report) + "\n");
        Files.writeString(out.resolve("bench.md"), markdown);
        if (report.pipeline() != null) {
            BenchCharts.write(report.pipeline(), out.resolve("pipeline.png"));
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(markdown);
        stdout.printf("written to %s: bench.json, bench.md%s%n", out, report.pipeline() != null ? ", pipeline.png" : "");
        if (json) {
            stdout.println(Json.line(report));
        }
        stdout.flush();
    }

    /**
     * Writes a bench's own report as {@code <name>.json} and {@code <name>.md} in {@code --out},
     * prints the markdown, and with {@code --json} the report as one JSON line.
     */
    void write(String name, Object result, String markdown, CommandSpec spec) throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve(name + ".json"), Json.MAPPER.writeValueAsString(result) + "\n");
        Files.writeString(out.resolve(name + ".md"), markdown);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(markdown);
        stdout.printf("written to %s: %s.json, %s.md%n", out, name, name);
        if (json) {
            stdout.println(Json.line(result));
        }
        stdout.flush();
    }

    /** Says which machine the figures come from, before any is taken. */
    static MachineInfo announceMachine(CommandSpec spec) {
        MachineInfo machine = MachineInfo.current();
        spec.commandLine().getErr().println("machine: " + machine.describe());
        return machine;
    }
}
