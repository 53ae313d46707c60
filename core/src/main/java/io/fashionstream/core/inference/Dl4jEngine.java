package io.fashionstream.core.inference;

import io.fashionstream.core.data.ImageTensors;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.eval.ClassificationReport;
import io.fashionstream.core.model.Architecture;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Batch inference over one network, in the manner of DJL's {@code Predictor}: many inputs,
 * one forward pass, one {@link Prediction} each. Not thread-safe (DL4J networks are not):
 * give each thread its own instance, e.g. via {@link #copy()}.
 */
public final class Dl4jEngine implements InferenceEngine {

    private final MultiLayerNetwork network;
    /** The same function as {@code network}, faster; null where it does not cover the network. */
    private final NhwcForwardPass pass;

    public Dl4jEngine(MultiLayerNetwork network) {
        this(network, null);
    }

    private Dl4jEngine(MultiLayerNetwork network, NhwcForwardPass pass) {
        this.network = network;
        this.pass = pass;
    }

    /**
     * A classifier over a copy of {@code network} that runs it as an {@link NhwcForwardPass}
     * where that covers the network (all of this project's models), through DL4J otherwise.
     * The caller keeps (and closes) {@code network}.
     */
    public static Dl4jEngine forInference(MultiLayerNetwork network) {
        MultiLayerNetwork own = network.clone();
        return new Dl4jEngine(own, NhwcForwardPass.of(own).orElse(null));
    }

    /** An independent classifier over a copy of the same weights, for another thread. */
    @Override
    public Dl4jEngine copy() {
        return new Dl4jEngine(network.clone(), pass == null ? null : pass.copy());
    }

    /**
     * Classifies {@code count} images held in {@code pixels} (row-major floats in [0, 1],
     * image {@code i} at {@code [i * 784, (i + 1) * 784)}); the array may be longer than needed.
     */
    @Override
    public List<Prediction> batchPredict(float[] pixels, int count) throws InferenceException {
        InferenceEngine.checkFits(pixels, count);
        if (count == 0) {
            return List.of();
        }
        if (pass != null) {
            try {
                return predictions(pass.output(pixels, count));
            } catch (RuntimeException e) {
                throw new InferenceException("forward pass over " + count + " images failed: " + e.getMessage(), e);
            }
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
            scores = pass != null ? pass.output(input) : network.output(input, false).toFloatMatrix();
        } catch (RuntimeException e) {
            throw new InferenceException("forward pass over " + input.size(0) + " images failed: " + e.getMessage(), e);
        }
        return predictions(scores);
    }

    private static List<Prediction> predictions(float[][] scores) {
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

    /** The pass that runs the network, where one covers it. */
    public Optional<NhwcForwardPass> forwardPass() {
        return Optional.ofNullable(pass);
    }

    @Override
    public String name() {
        return "dl4j";
    }

    @Override
    public void close() {
        network.close();
    }
}
