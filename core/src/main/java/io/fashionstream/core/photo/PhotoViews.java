package io.fashionstream.core.photo;

import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.image.InvalidImageException;

import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Each image as the worker sees it after a round trip through a catalog photo: rendered by
 * {@link CatalogPhotos} under one of the given variations, encoded, then decoded and converted
 * by the worker's own {@link ImagePreprocessor}. Training on these teaches a network what
 * preprocessing a photo leaves behind (resampling, JPEG ringing, framing), and
 * {@link #meanAbsoluteDifference} measures that residual. Reproducible: image {@code i}'s view
 * depends only on the seed and {@code i}, not on how many threads render.
 */
public final class PhotoViews {
    /** Images rendered with one random stream, the unit of parallel work. */
    private static final int CHUNK = 256;

    private PhotoViews() {
    }

    /** The photo view of every image, with the same labels, rendered on up to {@code threads} threads. */
    public static LabelledImages of(LabelledImages images, List<PhotoVariation> variations, long seed, int threads) {
        if (variations.isEmpty()) {
            throw new IllegalArgumentException("no photo variations to render");
        }
        int n = images.pixelsPerImage();
        byte[] pixels = new byte[images.size() * n];
        int chunks = (images.size() + CHUNK - 1) / CHUNK;
        IntConsumer render = chunk -> renderChunk(images, variations, seed, chunk, pixels);
        if (threads <= 1) {
            IntStream.range(0, chunks).forEach(render);
        } else {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                pool.submit(() -> IntStream.range(0, chunks).parallel().forEach(render)).join();
            } finally {
                pool.shutdown();
            }
        }
        return new LabelledImages(pixels, images.labels().clone(), images.rows(), images.cols());
    }

    /** Mean absolute difference between two equally sized image sets, in gray levels (0-255). */
    public static double meanAbsoluteDifference(LabelledImages a, LabelledImages b) {
        if (a.pixels().length != b.pixels().length) {
            throw new IllegalArgumentException("image sets differ in size");
        }
        long sum = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            sum += Math.abs((a.pixels()[i] & 0xff) - (b.pixels()[i] & 0xff));
        }
        return (double) sum / a.pixels().length;
    }

    private static void renderChunk(LabelledImages images, List<PhotoVariation> variations, long seed, int chunk,
                                    byte[] out) {
        ImagePreprocessor preprocessor = new ImagePreprocessor(ImageLimits.DEFAULTS);
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + chunk);
        int n = images.pixelsPerImage();
        float[] view = new float[n];
        int end = Math.min(images.size(), (chunk + 1) * CHUNK);
        for (int i = chunk * CHUNK; i < end; i++) {
            PhotoVariation v = variations.get(random.nextInt(variations.size()));
            byte[] photo = CatalogPhotos.render(images.image(i), v, random);
            try {
                preprocessor.preprocess(photo, view, 0);
            } catch (InvalidImageException e) {
                throw new IllegalStateException("a rendered photo did not decode (" + v.name() + "): " + e.getMessage(), e);
            }
            for (int p = 0; p < n; p++) {
                out[i * n + p] = (byte) Math.round(view[p] * 255f);
            }
        }
    }
}
