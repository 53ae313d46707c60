package io.fashionstream.tools.bench;

import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.image.InvalidImageException;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.core.photo.CatalogPhotos;
import io.fashionstream.core.photo.PhotoVariation;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Photos: each model's accuracy on test images as they are (raw) against catalog photos rendered
 * from the same images ({@link CatalogPhotos}), per {@link PhotoVariation}, through the worker's
 * own preprocessing; and how many photos a core decodes and preprocesses per second, by format
 * and size.
 */
public final class PhotoBench {
    /** Photo sizes timed for decoding: a thumbnail page, a product page, a zoom view. */
    static final List<int[]> SIZES = List.of(new int[]{600, 800}, new int[]{1000, 1500}, new int[]{2000, 3000});
    /** CPU time spent decoding each format and size. */
    static final double DECODE_SECONDS = 1.0;
    /** Images per forward pass. */
    private static final int CHUNK = 256;

    private final LabelledImages images;
    private final long seed;
    private final ImagePreprocessor preprocessor = new ImagePreprocessor(ImageLimits.DEFAULTS);

    public PhotoBench(LabelledImages images, long seed) {
        this.images = images;
        this.seed = seed;
    }

    /**
     * One variation: its accuracy per model on the photos, and on the raw images they came from;
     * {@code residual}: what preprocessing leaves behind, the mean absolute difference between the
     * network inputs of a photo and of its raw image, in gray levels (0-255).
     */
    public record Accuracy(String variation, String description, int images, Map<String, Double> rawByModel,
                           Map<String, Double> photoByModel, long undecodable, double residual) {
    }

    /** Decoding and preprocessing one photo of {@code format} at {@code width}x{@code height}, per core. */
    public record DecodeSpeed(String format, int width, int height, int bytes, double msPerPhoto, double photosPerSecPerCore) {
    }

    /** Accuracy per variation for every model, on {@code count} test images drawn with the seed. */
    public List<Accuracy> accuracy(List<ServingModel> models, List<PhotoVariation> variations, int count,
                                   PrintWriter err) throws InferenceException, InvalidImageException {
        int[] picked = pick(count);
        float[] raw = new float[picked.length * InferenceEngine.PIXELS];
        for (int i = 0; i < picked.length; i++) {
            preprocessor.preprocess(images.image(picked[i]), raw, i * InferenceEngine.PIXELS); // raw bytes, as the worker takes them
        }
        Map<String, Double> rawAccuracy = new LinkedHashMap<>();
        for (ServingModel m : models) {
            rawAccuracy.put(m.name(), accuracy(m.engine(), raw, picked, null));
        }
        List<Accuracy> results = new ArrayList<>();
        for (PhotoVariation v : variations) {
            Random random = new Random(seed ^ v.name().hashCode());
            float[] photos = new float[raw.length];
            boolean[] failed = new boolean[picked.length];
            long undecodable = 0;
            for (int i = 0; i < picked.length; i++) {
                byte[] photo = CatalogPhotos.render(images.image(picked[i]), v, random);
                try {
                    preprocessor.preprocess(photo, photos, i * InferenceEngine.PIXELS);
                } catch (InvalidImageException e) {
                    failed[i] = true; // counted as wrong: a photo that cannot be read is a miss
                    undecodable++;
                }
            }
            Map<String, Double> photoAccuracy = new LinkedHashMap<>();
            for (ServingModel m : models) {
                photoAccuracy.put(m.name(), accuracy(m.engine(), photos, picked, failed));
            }
            double residual = 0;
            for (int p = 0; p < raw.length; p++) {
                residual += Math.abs(photos[p] - raw[p]);
            }
            residual = 255 * residual / raw.length;
            err.printf("photos   %-16s raw %s, photos %s, residual %.1f gray levels%s%n", v.name(), rawAccuracy,
                    photoAccuracy, residual, undecodable > 0 ? ", " + undecodable + " undecodable" : "");
            results.add(new Accuracy(v.name(), v.description(), picked.length, rawAccuracy, photoAccuracy, undecodable,
                    residual));
        }
        return results;
    }

    /** CPU time per photo to decode and preprocess, by format and size, on this thread. */
    public List<DecodeSpeed> decodeSpeed(PrintWriter err) throws InvalidImageException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        byte[] article = images.image(0);
        float[] dst = new float[InferenceEngine.PIXELS];
        List<DecodeSpeed> results = new ArrayList<>();
        for (PhotoVariation.Format format : PhotoVariation.Format.values()) {
            for (int[] size : SIZES) {
                byte[] photo = CatalogPhotos.sized(article, size[0], size[1], format, new Random(seed));
                for (int i = 0; i < 3; i++) {
                    preprocessor.preprocess(photo, dst, 0); // warm-up
                }
                long start = threads.getCurrentThreadCpuTime();
                long end = start + (long) (DECODE_SECONDS * 1e9);
                int n = 0;
                long now;
                do {
                    preprocessor.preprocess(photo, dst, 0);
                    n++;
                    now = threads.getCurrentThreadCpuTime();
                } while (now < end);
                double ms = (now - start) / 1e6 / n;
                err.printf("decode   %-16s %4dx%-4d %,8d bytes: %6.2f ms per photo (%,.0f per second per core)%n",
                        format, size[0], size[1], photo.length, ms, 1000 / ms);
                results.add(new DecodeSpeed(format.name(), size[0], size[1], photo.length, ms, 1000 / ms));
            }
        }
        return results;
    }

    private double accuracy(InferenceEngine engine, float[] pixels, int[] picked, boolean[] failed)
            throws InferenceException {
        List<Prediction> predictions = new ArrayList<>();
        for (int from = 0; from < picked.length; from += CHUNK) {
            int n = Math.min(CHUNK, picked.length - from);
            float[] chunk = java.util.Arrays.copyOfRange(pixels, from * InferenceEngine.PIXELS,
                    (from + n) * InferenceEngine.PIXELS);
            predictions.addAll(engine.batchPredict(chunk, n));
        }
        int right = 0;
        for (int i = 0; i < picked.length; i++) {
            if ((failed == null || !failed[i]) && predictions.get(i).label() == images.label(picked[i]).ordinal()) {
                right++;
            }
        }
        return (double) right / picked.length;
    }

    private int[] pick(int count) {
        int n = Math.min(count, images.size());
        // A seeded shuffle's head: every class about equally represented, the same images every run.
        int[] all = new int[images.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        TrainValidationSplit.shuffle(all, new Random(seed));
        return java.util.Arrays.copyOf(all, n);
    }
}
