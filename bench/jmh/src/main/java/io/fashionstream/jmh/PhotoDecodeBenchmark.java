package io.fashionstream.jmh;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.image.InvalidImageException;
import io.fashionstream.core.photo.CatalogPhotos;
import io.fashionstream.core.photo.PhotoVariation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One 600x800 catalog photo (as {@link CatalogPhotos} renders it) to 784 floats, by the worker's
 * path (OpenCV, scaled JPEG decoding) and by the ImageIO path it replaced, in one run: the
 * decoding issue's targets are per core, so one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PhotoDecodeBenchmark {
    @Param({"JPEG", "PROGRESSIVE_JPEG", "PNG"})
    public String format;

    private final ImagePreprocessor preprocessor = new ImagePreprocessor(ImageLimits.DEFAULTS);
    private final float[] buffer = new float[784];
    private byte[] photo;
    private String imageIoFormat;

    @Setup
    public void photo() throws IOException {
        PhotoVariation.Format f = PhotoVariation.Format.valueOf(format);
        photo = CatalogPhotos.sized(FashionMnist.loadShippedTestSplit().image(0), 600, 800, f, new Random(1));
        imageIoFormat = f == PhotoVariation.Format.PNG ? "png" : "jpeg";
    }

    @Benchmark
    public float[] worker() throws InvalidImageException {
        preprocessor.preprocess(photo, buffer, 0);
        return buffer;
    }

    @Benchmark
    public float[] imageIoBaseline() throws IOException {
        LegacyImageIoPath.preprocess(photo, imageIoFormat, buffer);
        return buffer;
    }
}
