package io.fashionstream.worker.testing;

import io.fashionstream.core.data.DataNotFoundException;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.worker.produce.PngImages;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.zip.CRC32;

/** Inputs the worker tests send: test-split images as PNG or raw bytes, and every kind of bad input. */
public final class TestInputs {
    /** The committed models, seen from the worker module's directory (where Maven runs its tests). */
    public static final Path MODELS_DIR = Path.of("..", "models");
    private static LabelledImages testSplit;

    private TestInputs() {
    }

    /**
     * Skips the calling test, with a one-line reason, where Fashion-MNIST's training split is not
     * installed (only the test split ships in the repository; {@code .ci/run} installs the rest).
     */
    public static void assumeTrainSplit() {
        try {
            new FashionMnist(Optional.empty()).locate(FashionMnist.Split.TRAIN);
        } catch (DataNotFoundException e) {
            Assumptions.abort("no Fashion-MNIST train split here (apt-get install dataset-fashion-mnist, or set "
                    + FashionMnist.ENV_DIR + ")");
        }
    }

    public static synchronized LabelledImages testSplit() {
        if (testSplit == null) {
            try {
                testSplit = FashionMnist.loadShippedTestSplit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return testSplit;
    }

    public static ModelFiles.LoadedModel simpleModel() throws Exception {
        return ModelFiles.load(MODELS_DIR.resolve("simple.zip"));
    }

    /** {@code simple} opened for serving with {@code engine}, as a worker opens it. */
    public static ServingModel servingSimple(EngineKind engine) throws Exception {
        return ServingModel.open("simple", MODELS_DIR, engine, 1);
    }

    public static byte[] png(int index) {
        return PngImages.encodeGray(testSplit().image(index), 28, 28);
    }

    public static byte[] raw(int index) {
        return testSplit().image(index);
    }

    public static int label(int index) {
        return testSplit().label(index).ordinal();
    }

    /** The label the worker must predict for {@code value}: the same preprocessing and network, one image. */
    public static int expectedLabel(Dl4jEngine classifier, byte[] value) throws Exception {
        float[] pixels = new float[Dl4jEngine.PIXELS];
        new ImagePreprocessor(ImageLimits.DEFAULTS).preprocess(value, pixels, 0);
        return classifier.batchPredict(pixels, 1).get(0).label();
    }

    public static byte[] truncatedPng() {
        byte[] png = png(0);
        return Arrays.copyOf(png, png.length / 2);
    }

    public static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        b[0] = 0x42; // not an image signature
        return b;
    }

    /** A well-formed PNG header declaring {@code width x height} pixels, followed by no image data. */
    public static byte[] pngClaiming(int width, int height) {
        byte[] real = png(0);
        ByteBuffer b = ByteBuffer.wrap(real.clone());
        // IHDR is the first chunk: length(4) 'IHDR'(4) width(4) height(4) ... CRC over type + data.
        b.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt(29, (int) crc.getValue());
        return Arrays.copyOf(b.array(), 33 + 12);
    }
}
