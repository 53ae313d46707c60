package io.fashionstream.trainer;

import io.fashionstream.core.Json;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.eval.ClassificationReport;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelsDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code evaluate}: accuracy, per-class metrics and confusion matrix of a model on the test split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a trained model on the Fashion-MNIST test split.")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a model file (models/simple.zip) or a name in the installation's models/ folder")
    String model;

    @Option(names = "--data", description = "directory with the test IDX files (default: $FASHION_MNIST_DIR, "
            + FashionMnist.DEBIAN_DIR + ", then the copy shipped in the jar)")
    Path data;

    @Option(names = "--limit", description = "evaluate only the first N test images (default: all)", defaultValue = "0")
    int limit;

    @Option(names = "--batch", description = "inference batch size (default: ${DEFAULT-VALUE})", defaultValue = "512")
    int batch;

    @Option(names = "--json", description = "print the summary as one JSON object on the last line")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (limit < 0) {
            throw new IllegalArgumentException("--limit must not be negative");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1");
        }
        Path zip = ModelFiles.resolve(model, ModelsDirectory.installed(TrainerCli.class));
        ModelFiles.LoadedModel loaded = ModelFiles.load(zip);
        LabelledImages test = new FashionMnist(Optional.ofNullable(data)).locate(FashionMnist.Split.TEST).load();
        if (limit > 0) {
            test = test.head(limit);
        }
        long start = System.nanoTime();
        ClassificationReport report;
        try (Dl4jEngine classifier = Dl4jEngine.forInference(loaded.network())) {
            report = classifier.evaluate(test, batch);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("Model %s (version %s) on %,d test images:%n%n", loaded.name(), loaded.version(), test.size());
        ReportPrinter.print(System.out, report);
        loaded.card().ifPresent(card -> System.out.printf("%nModel card's test accuracy: %.4f%n", card.testAccuracy()));
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", loaded.name());
            summary.put("version", loaded.version());
            summary.put("samples", report.samples());
            summary.put("accuracy", report.accuracy());
            summary.put("cardAccuracy", loaded.card().map(c -> c.testAccuracy()).orElse(null));
            summary.put("seconds", Math.round(seconds * 100) / 100.0);
            summary.put("perClass", report.perClass());
            summary.put("confusionMatrix", report.confusion());
            System.out.println(Json.line(summary));
        }
        return 0;
    }
}
