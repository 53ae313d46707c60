package io.fashionstream.tools.bench;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.photo.PhotoVariation;
import io.fashionstream.worker.config.CliEnums;
import io.fashionstream.worker.config.WorkerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code bench photos}: accuracy on catalog-photo renderings of the images, per variation, and decoding speed. */
@Command(name = "photos", mixinStandardHelpOptions = true,
        description = "Accuracy on 600x800 catalog photos of the images, per photo variation, and decoding speed by format.")
public final class PhotoBenchCommand implements Callable<Integer> {
    /** The photo generator's seed: the same photos every run. */
    static final long PHOTO_SEED = 2017;

    @Spec
    CommandSpec spec;

    @Mixin
    BenchReportOptions report;

    @Option(names = "--models", split = ",", defaultValue = "simple,complex1,complex2",
            description = "Models to measure (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(names = "--engine", defaultValue = WorkerConfig.DEFAULT_ENGINE_NAME, converter = CliEnums.Engine.class,
            description = "The engine that runs them (default: ${DEFAULT-VALUE})")
    EngineKind engine;

    @Option(names = "--images", defaultValue = "1000", description = "Images rendered per photo variation (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--split", defaultValue = "test",
            description = "test (the shipped test split) or validation (the training images the models' cards held out, to"
                    + " tune preprocessing on other images than those the figures come from; needs the training IDX files)"
                    + " (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--data", description = "Validation split: directory with the Fashion-MNIST IDX files"
            + " (default: $FASHION_MNIST_DIR, then " + FashionMnist.DEBIAN_DIR + ")")
    Path data;

    @Override
    public Integer call() throws Exception {
        if (!split.equals("test") && !split.equals("validation")) {
            throw new IllegalArgumentException("--split must be test or validation, not '" + split + "'");
        }
        if (images < 1) {
            throw new IllegalArgumentException("--images must be at least 1");
        }
        MachineInfo machine = BenchReportOptions.announceMachine(spec);
        List<ServingModel> opened = new ArrayList<>();
        try {
            int threads = PipelineBenchCommand.engineThreads(WorkerConfig.builder().engine(engine).build());
            for (String name : models) {
                opened.add(ServingModel.open(name, report.modelsDir, engine, threads));
            }
            LabelledImages chosen = split.equals("validation") ? heldOutImages(opened) : FashionMnist.loadShippedTestSplit();
            PhotoBench bench = new PhotoBench(chosen, PHOTO_SEED);
            var err = spec.commandLine().getErr();
            BenchCommand.PhotoReport photos = new BenchCommand.PhotoReport(split, PHOTO_SEED,
                    bench.accuracy(opened, PhotoVariation.standard(), images, err), bench.decodeSpeed(err));
            report.write(new BenchCommand.Report(Instant.now().toString(), machine, null, null, null, null, photos), spec);
            return 0;
        } finally {
            for (ServingModel m : opened) {
                m.close();
            }
        }
    }

    /** The validation images the models' cards held out of training, which must be the same for every model. */
    private LabelledImages heldOutImages(List<ServingModel> opened) throws IOException {
        Set<List<Long>> splits = new HashSet<>();
        for (ServingModel m : opened) {
            ModelCard.Training t = m.card().orElseThrow(() -> new IllegalArgumentException(
                    "--split validation: " + m.name() + " has no model card to tell its held-out images")).training();
            splits.add(List.of(t.seed(), (long) t.validationSamples()));
        }
        if (splits.size() != 1) {
            throw new IllegalArgumentException("--split validation: the models held out different images"
                    + " (seed and count: " + splits + "); bench them one at a time");
        }
        List<Long> chosen = splits.iterator().next();
        LabelledImages train = new FashionMnist(Optional.ofNullable(data)).locate(FashionMnist.Split.TRAIN).load();
        return TrainValidationSplit.of(train, chosen.get(1).intValue(), chosen.get(0)).validation();
    }
}
