package io.fashionstream.worker.bench;

import io.fashionstream.core.Json;
import io.fashionstream.core.inference.FashionClassifier;
import io.fashionstream.core.model.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code fashion-worker bench}: images per second of each model's forward pass at a range of
 * batch sizes, after warm-up, with the machine described. Writes {@code engine.json} and
 * {@code engine.md} to {@code --out}; {@code --json} also prints the report as the last line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure each model's forward-pass throughput at several batch sizes on this machine.")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--models", split = ",", defaultValue = "simple,complex1,complex2",
            description = "Models to measure (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(names = "--models-dir", defaultValue = "models", description = "Where model names are looked up (default: ${DEFAULT-VALUE})")
    Path modelsDir;

    @Option(names = "--batches", split = ",", defaultValue = "1,8,32,128,512,1024",
            description = "Batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--seconds", defaultValue = "3", description = "Measuring time per point (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup-seconds", defaultValue = "1", description = "Warm-up per point (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--out", defaultValue = "bench-results", description = "Report directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--json", description = "Print the report as one JSON object on the last line")
    boolean json;

    /** One model's points. */
    public record ModelResult(String model, String version, List<EngineBench.Point> points) {
    }

    /** The whole report. */
    public record Report(String createdAt, MachineInfo machine, double secondsPerPoint, List<ModelResult> engine) {
    }

    @Override
    public Integer call() throws Exception {
        if (seconds <= 0 || warmupSeconds < 0) {
            throw new IllegalArgumentException("--seconds must be positive and --warmup-seconds not negative");
        }
        if (batches.isEmpty() || batches.stream().anyMatch(b -> b < 1 || b > 8192)) {
            throw new IllegalArgumentException("--batches must be sizes from 1 to 8192, not " + batches);
        }
        PrintWriter err = spec.commandLine().getErr();
        MachineInfo machine = MachineInfo.current();
        err.println("machine: " + machine.describe());
        List<ModelResult> results = new ArrayList<>();
        for (String name : models) {
            ModelFiles.LoadedModel model = ModelFiles.load(ModelFiles.resolve(name, modelsDir));
            try (FashionClassifier classifier = new FashionClassifier(model.network())) {
                EngineBench bench = new EngineBench(classifier, Duration.ofMillis((long) (warmupSeconds * 1000)),
                        Duration.ofMillis((long) (seconds * 1000)));
                List<EngineBench.Point> points = new ArrayList<>();
                for (int batch : batches) {
                    EngineBench.Point p = bench.run(batch);
                    err.printf("%-9s batch %5d: %,10.0f images/s (%.2f ms per batch)%n", name, batch, p.imagesPerSec(),
                            p.msPerBatch());
                    points.add(p);
                }
                results.add(new ModelResult(model.name(), model.version(), points));
            }
        }
        Report report = new Report(Instant.now().toString(), machine, seconds, results);
        String table = markdown(report);
        Files.createDirectories(out);
        Files.writeString(out.resolve("engine.json"), Json.MAPPER.writeValueAsString(report) + "\n");
        Files.writeString(out.resolve("engine.md"), table);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(table);
        stdout.printf("written: %s, %s%n", out.resolve("engine.json"), out.resolve("engine.md"));
        if (json) {
            stdout.println(Json.line(report));
        }
        stdout.flush();
        return 0;
    }

    /** Images per second, a row per model and a column per batch size, under the machine line. */
    static String markdown(Report report) {
        StringBuilder md = new StringBuilder();
        md.append("Engine: forward-pass images/s by batch size (").append(report.machine().describe()).append(")\n\n");
        List<EngineBench.Point> first = report.engine().get(0).points();
        md.append("| model |");
        first.forEach(p -> md.append(" ").append(p.batchSize()).append(" |"));
        md.append("\n|---|");
        first.forEach(p -> md.append("---:|"));
        md.append("\n");
        for (ModelResult r : report.engine()) {
            md.append("| `").append(r.model()).append("` |");
            r.points().forEach(p -> md.append(String.format(" %,.0f |", p.imagesPerSec())));
            md.append("\n");
        }
        return md.toString();
    }
}
