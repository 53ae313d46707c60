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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Assembling a batch of Fashion-MNIST PNG records into the forward pass's input: straight into
 * one preallocated buffer (what the worker does) against one array per record copied in after
 * (what it avoids).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchAssemblyBenchmark {
    @Param({"64", "256"})
    public int batch;

    private final ImagePreprocessor preprocessor = new ImagePreprocessor(ImageLimits.DEFAULTS);
    private byte[][] records;
    private float[] buffer;

    @Setup
    public void records() throws IOException {
        records = CatalogImages.fashionMnistPngs(batch);
        buffer = new float[batch * 784];
    }

    @Benchmark
    public float[] intoOnePreallocatedBuffer() throws InvalidImageException {
        for (int i = 0; i < batch; i++) {
            preprocessor.preprocess(records[i], buffer, i * 784);
        }
        return buffer;
    }

    @Benchmark
    public float[] arrayPerRecordThenCopy() throws InvalidImageException {
        float[][] perRecord = new float[batch][];
        for (int i = 0; i < batch; i++) {
            perRecord[i] = new float[784];
            preprocessor.preprocess(records[i], perRecord[i], 0);
        }
        float[] assembled = new float[batch * 784];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(perRecord[i], 0, assembled, i * 784, 784);
        }
        return assembled;
    }
}
