package io.fashionstream.trainer;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.OnnxEngine;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelLoadException;
import io.fashionstream.core.model.ModelsDirectory;
import io.fashionstream.core.onnx.OnnxQuantizer;
import io.fashionstream.core.photo.PhotoVariation;
import io.fashionstream.core.photo.PhotoViews;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code quantize}: the INT8 version of a model ({@link OnnxQuantizer}), calibrated on training
 * images as the worker feeds them (raw, and photo views through its own conversion; never the
 * test split), judged against the float32 export on the raw test split and on each standard photo
 * variation, and timed against it at batch 64 on this machine. Where it is faster it is written as
 * {@code models/<name>.int8.onnx}; the card records the figures either way.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Make a model's INT8 version (QDQ), calibrated on training images, and record how it compares in its card.")
final class QuantizeCommand implements Callable<Integer> {
    private static final int PIXELS = 28 * 28;

    @Option(names = "--model", required = true, description = "a model file (models/simple.zip) or a name in the installation's models/ folder")
    String model;

    @Option(names = "--data", description = "directory with the training IDX files (default: $FASHION_MNIST_DIR, then "
            + FashionMnist.DEBIAN_DIR + ")")
    Path data;

    @Option(names = "--calibration", defaultValue = "1000",
            description = "training images that set the activation ranges, half raw, half as photos (default: ${DEFAULT-VALUE})")
    int calibration;

    // 1,000 photos measure a difference to about ±0.4 points, too coarse for the 0.3-point bound auto applies.
    @Option(names = "--photo-images", defaultValue = "10000",
            description = "test images each photo variation is rendered from to compare the two (default: ${DEFAULT-VALUE})")
    int photoImages;

    @Override
    public Integer call() throws Exception {
        if (calibration < 2 || photoImages < 1) {
            throw new IllegalArgumentException("--calibration must be at least 2 and --photo-images at least 1");
        }
        Path modelsDir = ModelsDirectory.installed(TrainerCli.class);
        Path zip = ModelFiles.resolve(model, modelsDir);
        ModelCard card = ModelFiles.readCard(zip).orElseThrow(() -> new ModelLoadException("no card beside " + zip));
        Path onnx = ModelFiles.onnxPath(zip);
        ModelFiles.requireChecksum(onnx, card.onnxSha256());
        byte[] fp32 = Files.readAllBytes(onnx);
        int threads = Runtime.getRuntime().availableProcessors();
        long seed = card.training().seed();

        // Calibration: images of the training part (never the validation or the test split), half raw, half as photos.
        LabelledImages train = TrainValidationSplit.of(new FashionMnist(Optional.ofNullable(data))
                .locate(FashionMnist.Split.TRAIN).load(), card.training().validationSamples(), seed).train();
        int half = calibration / 2;
        LabelledImages raw = train.head(half);
        LabelledImages photos = PhotoViews.of(train.select(range(half, calibration)), PhotoVariation.standard(),
                seed + 3, threads);
        byte[] int8 = OnnxQuantizer.quantize(fp32, pixels(raw.followedBy(photos)), calibration);

        LabelledImages test = FashionMnist.loadShippedTestSplit();
        Map<String, Double> int8Photos = new LinkedHashMap<>();
        Map<String, Double> fp32Photos = new LinkedHashMap<>();
        double int8Raw;
        double speedup;
        try (OnnxEngine f = OnnxEngine.open(fp32, threads); OnnxEngine q = OnnxEngine.open(int8, threads)) {
            int8Raw = InferenceEngine.accuracy(q, test);
            for (PhotoVariation v : PhotoVariation.standard()) {
                LabelledImages views = PhotoViews.of(test.head(photoImages), List.of(v), seed + 4, threads);
                fp32Photos.put(v.name(), InferenceEngine.accuracy(f, views));
                int8Photos.put(v.name(), InferenceEngine.accuracy(q, views));
                System.out.printf("%-16s float32 %.4f  int8 %.4f%n", v.name(), fp32Photos.get(v.name()), int8Photos.get(v.name()));
            }
            speedup = imagesPerSecond(q, test) / imagesPerSecond(f, test);
        }
        Path out = modelsDir.resolve(card.name() + ".int8.onnx");
        boolean pays = speedup > 1;
        if (pays) {
            Files.write(out, int8);
        } else {
            Files.deleteIfExists(out);
        }
        ModelCard.Int8 figures = new ModelCard.Int8(pays ? ModelFiles.sha256(out) : null, String.format(
                "%d training images (%d raw, %d as photos of every standard variation, seed %d), max of each ReLU",
                calibration, half, calibration - half, seed + 3), int8Raw, photoImages, int8Photos, fp32Photos,
                Math.round(speedup * 100) / 100.0, CpuInfo.describe());
        ModelFiles.writeCard(card.withInt8(figures), zip);
        System.out.printf("%s: raw test split float32 %.4f, int8 %.4f; %.2fx the float32 images/s at batch 64 here; %s%n",
                card.name(), card.testAccuracy(), int8Raw, speedup, pays ? "wrote " + out
                        : "INT8 is slower here: no file written");
        System.out.printf("keeps accuracy within %.1f points on raw and every photo variation: %s; wrote %s%n",
                100 * ModelCard.Int8.MAX_LOSS, figures.keepsAccuracy(card.testAccuracy()), ModelFiles.cardPath(zip));
        return 0;
    }

    private static int[] range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).toArray();
    }

    private static float[] pixels(LabelledImages images) {
        float[] out = new float[images.size() * PIXELS];
        for (int i = 0; i < out.length; i++) {
            out[i] = (images.pixels()[i] & 0xff) / 255f;
        }
        return out;
    }

    /** Images per second at batch 64 over about two seconds, after a warm-up. */
    private static double imagesPerSecond(InferenceEngine engine, LabelledImages images) throws Exception {
        float[] batch = pixels(images.head(64));
        for (int i = 0; i < 50; i++) {
            engine.batchPredict(batch, 64);
        }
        long start = System.nanoTime();
        long done = 0;
        while (System.nanoTime() - start < 2_000_000_000L) {
            engine.batchPredict(batch, 64);
            done += 64;
        }
        return done / ((System.nanoTime() - start) / 1e9);
    }
}
