package io.fashionstream.core.inference;

import io.fashionstream.core.data.ImageTensors;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.eval.ClassificationReport;
import io.fashionstream.core.model.Architecture;
import io.fashionstream.core.model.InferenceNetworks;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Batch inference over one network, in the manner of DJL's {@code Predictor}: many inputs,
 * one forward pass, one {@link Prediction} each. Not thread-safe (DL4J networks are not):
 * give each thread its own instance, e.g. via {@link #copy()}.
 */
public final class FashionClassifier implements AutoCloseable {
    /** Pixels per input image: 28 x 28. */
    public static final int PIXELS = Architecture.HEIGHT * Architecture.WIDTH;

    /**
     * From this batch size on, {@link #forInference} classifiers run the network rewritten with
     * native pooling: it wins on large batches (simple at 512: 2,269 to 3,584 images/s) and loses
     * on small ones, where each SameDiff layer's fixed cost dominates (batch 8: 587 to 426).
     */
    public static final int OPTIMIZED_FROM_BATCH = 32;

    private final MultiLayerNetwork network;
    /** The network for batches of {@link #OPTIMIZED_FROM_BATCH} or more; {@code network} itself when none. */
    private final MultiLayerNetwork largeBatches;

    public FashionClassifier(MultiLayerNetwork network) {
        this(network, network);
    }

    private FashionClassifier(MultiLayerNetwork network, MultiLayerNetwork largeBatches) {
        this.network = network;
        this.largeBatches = largeBatches;
    }

    /**
     * A classifier over copies of {@code network}: as trained for small batches, rewritten with
     * the faster inference layers ({@link InferenceNetworks}) for large ones. The caller keeps
     * (and closes) {@code network}.
     */
    public static FashionClassifier forInference(MultiLayerNetwork network) {
        return new FashionClassifier(network.clone(), InferenceNetworks.optimized(network));
    }

    /** An independent classifier over a copy of the same weights, for another thread. */
    public FashionClassifier copy() {
        MultiLayerNetwork small = network.clone();
        return new FashionClassifier(small, largeBatches == network ? small : largeBatches.clone());
    }

    /**
     * Classifies {@code count} images held in {@code pixels} (row-major floats in [0, 1],
     * image {@code i} at {@code [i * 784, (i + 1) * 784)}); the array may be longer than needed.
     */
    public List<Prediction> batchPredict(float[] pixels, int count) throws InferenceException {
        if (count == 0) {
            return List.of();
        }
        if ((long) count * PIXELS > pixels.length) {
            throw new IllegalArgumentException(count + " images do not fit in " + pixels.length + " floats");
        }
        INDArray input = Nd4j.create(DataType.FLOAT, count, 1, Architecture.HEIGHT, Architecture.WIDTH);
        // Straight from the caller's (longer) buffer into the tensor's native memory: no array in between.
        new FloatPointer(input.data().addressPointer()).put(pixels, 0, count * PIXELS);
        return batchPredict(input);
    }

    /** Classifies a {@code [n, 1, 28, 28]} tensor. */
    public List<Prediction> batchPredict(INDArray input) throws InferenceException {
        float[][] scores;
        try {
            INDArray out = networkFor(input.size(0)).output(input, false);
            scores = out.toFloatMatrix();
        } catch (RuntimeException e) {
            throw new InferenceException("forward pass over " + input.size(0) + " images failed: " + e.getMessage(), e);
        }
        List<Prediction> predictions = new ArrayList<>(scores.length);
        for (float[] row : scores) {
            predictions.add(Prediction.fromScores(row));
        }
        return predictions;
    }

    /** Predicted label indices for every image, in batches of {@code batchSize}. */
    public int[] predictLabels(LabelledImages images, int batchSize) throws InferenceException {
        int[] order = ImageTensors.identityOrder(images.size());
        int[] labels = new int[images.size()];
        for (int from = 0; from < images.size(); from += batchSize) {
            int n = Math.min(batchSize, images.size() - from);
            List<Prediction> batch = batchPredict(ImageTensors.features(images, order, from, n, null));
            for (int i = 0; i < n; i++) {
                labels[from + i] = batch.get(i).label();
            }
        }
        return labels;
    }

    /** Accuracy, per-class metrics and confusion matrix on labelled images. */
    public ClassificationReport evaluate(LabelledImages images, int batchSize) throws InferenceException {
        int[] truth = new int[images.size()];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = images.labels()[i];
        }
        return ClassificationReport.of(truth, predictLabels(images, batchSize));
    }

    public MultiLayerNetwork network() {
        return network;
    }

    /** The network a batch of {@code count} images runs on. */
    public MultiLayerNetwork networkFor(long count) {
        return count >= OPTIMIZED_FROM_BATCH ? largeBatches : network;
    }

    @Override
    public void close() {
        network.close();
        if (largeBatches != network) {
            largeBatches.close();
        }
    }
}
