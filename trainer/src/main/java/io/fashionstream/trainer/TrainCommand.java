package io.fashionstream.trainer;

import io.fashionstream.core.Json;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.eval.ClassificationReport;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.model.Architecture;
import io.fashionstream.core.model.Augmentation;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.NativeBackend;
import io.fashionstream.core.photo.PhotoViews;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code train}: trains one architecture and writes its model, card and chart. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train one of the networks on the Fashion-MNIST training split.")
final class TrainCommand implements Callable<Integer> {
    /** The notebook's test accuracy per model, quoted in cards for comparison. */
    /** Where a run writes its model unless {@code --out} says otherwise. */
    static final String RUNS_DIR = "runs";
    private static final DateTimeFormatter RUN_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);
    private static final Map<Architecture, Double> NOTEBOOK = Map.of(
            Architecture.SIMPLE, 0.885, Architecture.COMPLEX1, 0.91, Architecture.COMPLEX2, 0.92);

    @Option(names = "--model", required = true, description = "simple, complex1 or complex2")
    String model;

    @Option(names = "--epochs", description = "maximum epochs (default: the model's own: simple 10, complex1 15, complex2 32)")
    Integer epochs;

    @Option(names = "--batch", description = "mini-batch size (default: ${DEFAULT-VALUE})",
            defaultValue = "" + TrainingOptions.DEFAULT_BATCH)
    int batch;

    @Option(names = "--seed", description = "seed for weights, split, order and dropout (default: ${DEFAULT-VALUE})",
            defaultValue = "" + TrainingOptions.DEFAULT_SEED)
    long seed;

    @Option(names = "--patience", description = "early-stopping patience in epochs (default: ${DEFAULT-VALUE})",
            defaultValue = "" + TrainingOptions.DEFAULT_PATIENCE)
    int patience;

    @Option(names = "--validation", description = "training images held out for validation (default: ${DEFAULT-VALUE})",
            defaultValue = "" + TrainingOptions.DEFAULT_VALIDATION)
    int validation;

    @Option(names = "--limit", description = "train on at most N images (default: all)", defaultValue = "0")
    int limit;

    @Option(names = "--photo-share", description = "share of each batch given as catalog-photo views of the images, "
            + "rendered and preprocessed as the worker does (0: raw images only; default: ${DEFAULT-VALUE})",
            defaultValue = "" + TrainingOptions.DEFAULT_PHOTO_SHARE)
    double photoShare;

    @Option(names = "--checkpoint", description = "directory for the checkpoint written after every epoch "
            + "(default: checkpoints/<model>)")
    Path checkpoint;

    @Option(names = "--resume", description = "continue from the checkpoint, to the model an uninterrupted run gives")
    boolean resume;

    @Option(names = "--data", description = "directory with the Fashion-MNIST IDX files "
            + "(default: $FASHION_MNIST_DIR, then " + FashionMnist.DEBIAN_DIR + ")")
    Path data;

    @Option(names = "--out", description = "where to write <model>.zip/.onnx/.json/.png (default: a new run folder,"
            + " " + RUNS_DIR + "/<model>-<UTC time>; --out models --replace replaces the committed model)")
    Path out;

    @Option(names = "--replace", description = "allow --out to hold a model of the same name already, and replace it")
    boolean replace;

    @Option(names = "--json", description = "print the final summary as one JSON object on the last line")
    boolean json;

    @Option(names = "--no-progress", description = "no live progress bar (log lines only)")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        Architecture architecture = Architecture.fromName(model);
        TrainingOptions options = new TrainingOptions(architecture,
                epochs != null ? epochs : architecture.defaultEpochs(), batch, seed, patience, validation, limit,
                photoShare);
        out = outputDirectory(architecture);
        Path checkpointDir = checkpoint != null ? checkpoint : Path.of("checkpoints", architecture.modelName());
        Optional<Checkpoint.Loaded> resumed = Optional.empty();
        if (resume) {
            resumed = Checkpoint.load(checkpointDir);
            if (resumed.isEmpty()) {
                throw new IllegalArgumentException("--resume: no checkpoint in " + checkpointDir);
            }
            resumed.get().state().requireCompatible(options);
        }

        FashionMnist dataset = new FashionMnist(Optional.ofNullable(data));
        FashionMnist.SplitFiles trainFiles = dataset.locate(FashionMnist.Split.TRAIN);
        FashionMnist.SplitFiles testFiles = dataset.locate(FashionMnist.Split.TEST);
        LabelledImages all = trainFiles.load();
        if (options.validation() >= all.size()) {
            throw new IllegalArgumentException("--validation " + options.validation() + " leaves no training images");
        }
        TrainValidationSplit split = TrainValidationSplit.of(all, options.validation(), options.seed());
        if (options.trainLimit() > 0) {
            split = new TrainValidationSplit(split.train().head(options.trainLimit()), split.validation());
        }
        LabelledImages test = testFiles.load();
        String backend = NativeBackend.describeLoaded();
        System.out.printf("Training %s on %,d images (validation %,d, test %,d), batch %d, up to %d epochs, %s%n",
                architecture.modelName(), split.train().size(), split.validation().size(), test.size(),
                options.batchSize(), options.epochs(), backend);

        TrainingData trainingData = TrainingData.raw(split);
        String augmentation = architecture.augmentation().describe();
        if (options.photoShare() > 0) {
            long viewsStart = System.nanoTime();
            trainingData = TrainingData.withPhotoViews(split, options.seed(), Runtime.getRuntime().availableProcessors());
            double residual = PhotoViews.meanAbsoluteDifference(split.train(), trainingData.photos().train());
            System.out.printf("Rendered %,d catalog-photo views in %.0fs; they differ from the raw images by %.1f gray levels "
                    + "on average%n", split.train().size() + split.validation().size(),
                    (System.nanoTime() - viewsStart) / 1e9, residual);
            augmentation = String.format(Locale.ROOT, "%s%.0f%% of each batch as catalog-photo views "
                            + "(%s, residual %.1f gray levels)",
                    architecture.augmentation().equals(Augmentation.NONE) ? "" : augmentation + "; ", 100 * options.photoShare(),
                    TrainingData.MIX, residual);
        }

        Trainer trainer = new Trainer(options, System.out, !noProgress, checkpointDir);
        // Ctrl-C / SIGTERM: the JVM waits in this hook while training stops at the next step
        // and the best epoch so far is written.
        CountDownLatch written = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            trainer.requestStop();
            try {
                written.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "graceful-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Trainer.Result result = resumed.isPresent() ? trainer.resume(trainingData, resumed.get())
                    : trainer.train(trainingData);
            writeOutputs(result, options, architecture, augmentation, split, test, trainFiles, testFiles, backend);
        } finally {
            written.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running; it returns now that the outputs are written
            }
        }
        return 0;
    }

    private void writeOutputs(Trainer.Result result, TrainingOptions options, Architecture architecture, String augmentation,
                              TrainValidationSplit split, LabelledImages test, FashionMnist.SplitFiles trainFiles,
                              FashionMnist.SplitFiles testFiles, String backend) throws Exception {
        ClassificationReport validationReport;
        ClassificationReport testReport;
        try (Dl4jEngine classifier = new Dl4jEngine(result.network())) {
            validationReport = classifier.evaluate(split.validation(), 512);
            testReport = classifier.evaluate(test, 512);
            Map<String, String> checksums = new LinkedHashMap<>(trainFiles.checksums());
            checksums.putAll(testFiles.checksums());
            ModelCard card = new ModelCard(architecture.modelName(), null, null, architecture.describe(),
                    result.network().numParams(),
                    new ModelCard.Training(optimizer(architecture), architecture.learningRate(), options.batchSize(),
                            options.seed(),
                            options.epochs(), result.history().size(), result.bestEpoch(), options.patience(),
                            result.stopReason().toString(),
                            augmentation,
                            split.train().size(), split.validation().size(), round(result.seconds()),
                            result.history()),
                    backend, CpuInfo.describe(), validationReport.accuracy(), testReport.accuracy(),
                    NOTEBOOK.get(architecture), testReport.perClass(), testReport.confusion(), checksums,
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), null, null);
            card = ModelFiles.save(result.network(), card, out);
            // What the drift monitor compares live answers with, from the images training held out.
            card = card.withReference(HeldOutReference.of(classifier, split.validation(), options.seed()));
            ModelFiles.writeCard(card, out.resolve(card.name() + ".zip"));
            Path chart = out.resolve(architecture.modelName() + ".png");
            ModelCharts.write(card, chart);

            System.out.println();
            ReportPrinter.print(System.out, testReport);
            System.out.printf("%nBest epoch %d of %d; test accuracy %.4f (notebook: %.3f); %.0fs of training%n",
                    result.bestEpoch(), result.history().size(), testReport.accuracy(), NOTEBOOK.get(architecture),
                    result.seconds());
            Path zip = out.resolve(card.name() + ".zip");
            System.out.printf("Wrote %s, %s, %s and %s%n", zip, ModelFiles.onnxPath(zip), ModelFiles.cardPath(zip), chart);
            System.out.printf("Serve it with: fashion-worker run --models-dir %s --model %s%n", out, card.name());
            if (json) {
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("model", card.name());
                summary.put("version", card.version());
                summary.put("parameters", card.parameters());
                summary.put("epochsRun", result.history().size());
                summary.put("bestEpoch", result.bestEpoch());
                summary.put("validationAccuracy", validationReport.accuracy());
                summary.put("testAccuracy", testReport.accuracy());
                summary.put("trainingSeconds", round(result.seconds()));
                System.out.println(Json.line(summary));
            }
        }
    }

    /**
     * Where the model goes: a fresh run folder unless {@code --out} names one. A folder that already
     * holds a model of this name (the committed {@code models/}, say) is written only with
     * {@code --replace}, checked before an hour of training rather than after.
     */
    private Path outputDirectory(Architecture architecture) {
        if (out == null) {
            String stamp = RUN_STAMP.format(Instant.now().atZone(ZoneOffset.UTC));
            return Path.of(RUNS_DIR, architecture.modelName() + "-" + stamp);
        }
        Path existing = out.resolve(architecture.modelName() + ".zip");
        if (Files.exists(existing) && !replace) {
            throw new IllegalArgumentException(existing + " exists: add --replace to replace it, or choose another --out");
        }
        return out;
    }

    private static String optimizer(Architecture architecture) {
        String schedule = architecture.learningRateSchedule();
        return schedule.equals("constant") ? "Adam" : "Adam, learning rate " + schedule;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }
}
