package io.fashionstream.jmh;

import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.image.InvalidImageException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Decode and preprocess of one record, as a worker's decode helper does it before a batch's forward
 * pass: the bytes of a record to 784 floats in the batch buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PreprocessBenchmark {
    private final ImagePreprocessor preprocessor = new ImagePreprocessor(ImageLimits.DEFAULTS);
    private final float[] buffer = new float[784];
    private byte[] mnistPng;
    private byte[] mnistRaw;
    private byte[] photoPng;
    private byte[] photoJpeg;

    @Setup
    public void images() throws IOException {
        mnistPng = CatalogImages.fashionMnistPngs(1)[0];
        mnistRaw = io.fashionstream.core.data.FashionMnist.loadShippedTestSplit().image(0);
        photoPng = CatalogImages.productPhoto("png");
        photoJpeg = CatalogImages.productPhoto("jpg");
    }

    @Benchmark
    public float[] fashionMnistPng28x28() throws InvalidImageException {
        preprocessor.preprocess(mnistPng, buffer, 0);
        return buffer;
    }

    @Benchmark
    public float[] raw784Bytes() throws InvalidImageException {
        preprocessor.preprocess(mnistRaw, buffer, 0);
        return buffer;
    }

    @Benchmark
    public float[] productPhotoPng600x800() throws InvalidImageException {
        preprocessor.preprocess(photoPng, buffer, 0);
        return buffer;
    }

    @Benchmark
    public float[] productPhotoJpeg600x800() throws InvalidImageException {
        preprocessor.preprocess(photoJpeg, buffer, 0);
        return buffer;
    }
}
