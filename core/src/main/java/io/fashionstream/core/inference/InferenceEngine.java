package io.fashionstream.core.inference;

import io.fashionstream.core.data.LabelledImages;

import java.util.ArrayList;
import java.util.List;

/**
 * Batch inference over one model, in the manner of DJL's {@code Predictor}: many images, one
 * forward pass, one {@link Prediction} each. An instance serves one thread at a time; {@link #copy()}
 * gives another thread its own (sharing what can be shared, such as the weights).
 */
public interface InferenceEngine extends AutoCloseable {
    /** Pixels per input image: 28 x 28. */
    int PIXELS = 28 * 28;

    /**
     * Classifies {@code count} images held in {@code pixels} (row-major floats in [0, 1],
     * image {@code i} at {@code [i * 784, (i + 1) * 784)}); the array may be longer than needed.
     */
    List<Prediction> batchPredict(float[] pixels, int count) throws InferenceException;

    /** Throws unless {@code pixels} holds {@code count} images, for implementations' argument checks. */
    static void checkFits(float[] pixels, int count) {
        if (count < 0 || (long) count * PIXELS > pixels.length) {
            throw new IllegalArgumentException(count + " images do not fit in " + pixels.length + " floats");
        }
    }

    /** How many images {@link #predictAll} runs at a time unless told. */
    int PREDICT_ALL_BATCH = 512;

    /** Accuracy of {@code engine} on labelled images ({@link #predictAll}), {@link #PREDICT_ALL_BATCH} at a time. */
    static double accuracy(InferenceEngine engine, LabelledImages images) throws InferenceException {
        return accuracy(engine, images, PREDICT_ALL_BATCH);
    }

    /**
     * Accuracy of {@code engine} on labelled images, {@code batch} at a time: an engine that serves
     * afterwards keeps the memory its largest batch took (ONNX Runtime's arena), so a worker scores
     * in batches no larger than it serves.
     */
    static double accuracy(InferenceEngine engine, LabelledImages images, int batch) throws InferenceException {
        List<Prediction> predictions = predictAll(engine, images, batch);
        int correct = 0;
        for (int i = 0; i < images.size(); i++) {
            if (predictions.get(i).fashionClass() == images.label(i)) {
                correct++;
            }
        }
        return (double) correct / images.size();
    }

    /** {@code engine}'s prediction for each of 28x28 images held as raw bytes (pixels / 255, as the worker feeds them), 512 at a time. */
    static List<Prediction> predictAll(InferenceEngine engine, LabelledImages images) throws InferenceException {
        return predictAll(engine, images, PREDICT_ALL_BATCH);
    }

    /** The same, {@code batch} at a time. */
    static List<Prediction> predictAll(InferenceEngine engine, LabelledImages images, int batch) throws InferenceException {
        if (batch < 1) {
            throw new IllegalArgumentException("a batch holds at least one image, not " + batch);
        }
        float[] pixels = new float[batch * PIXELS];
        byte[] raw = images.pixels();
        List<Prediction> out = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += batch) {
            int count = Math.min(batch, images.size() - from);
            for (int i = 0; i < count * PIXELS; i++) {
                pixels[i] = (raw[from * PIXELS + i] & 0xff) / 255f;
            }
            out.addAll(engine.batchPredict(pixels, count));
        }
        return out;
    }

    /** An engine over the same model for another thread. */
    InferenceEngine copy();

    /** What runs the model, for logs and reports: {@code onnxruntime} or {@code dl4j}. */
    String name();

    @Override
    void close();
}
