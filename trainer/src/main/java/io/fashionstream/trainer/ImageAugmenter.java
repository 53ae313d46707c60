package io.fashionstream.trainer;

import io.fashionstream.core.model.Augmentation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Random shifts ({@link Augmentation#maxShift()}) applied to a batch of {@code [n, 1, h, w]}
 * images in [0, 1]; flips are applied as the batch is assembled ({@code ImageTensors.features}).
 * Everything random comes from the caller's generator.
 */
final class ImageAugmenter {
    private ImageAugmenter() {
    }

    /** The batch with every image shifted at random; the batch itself when the augmentation has no shifts. */
    static INDArray apply(INDArray batch, Augmentation augmentation, Random random) {
        if (augmentation.maxShift() == 0) {
            return batch;
        }
        int n = (int) batch.size(0);
        int h = (int) batch.size(2);
        int w = (int) batch.size(3);
        int span = 2 * augmentation.maxShift() + 1;
        float[] pixels = batch.data().asFloat();
        float[] scratch = new float[h * w];
        for (int i = 0; i < n; i++) {
            shift(pixels, i * h * w, scratch, h, w, random.nextInt(span) - augmentation.maxShift(),
                    random.nextInt(span) - augmentation.maxShift());
        }
        return Nd4j.create(pixels, batch.shape(), 'c');
    }

    /** Moves image {@code at} by {@code dx, dy}, the uncovered border black (background). */
    static void shift(float[] pixels, int at, float[] scratch, int h, int w, int dx, int dy) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int sx = x - dx;
                int sy = y - dy;
                scratch[y * w + x] = sx >= 0 && sy >= 0 && sx < w && sy < h ? pixels[at + sy * w + sx] : 0f;
            }
        }
        System.arraycopy(scratch, 0, pixels, at, h * w);
    }
}
