package io.fashionstream.core.model;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A trained batch normalisation at inference, {@code gamma * (x - mean) / sqrt(var + eps) + beta}
 * per channel, as the per-channel scale and shift it is, to be folded into the convolution
 * before it: weights times {@code scale}, bias {@code (b - mean) * scale + beta}. Both the fast
 * forward pass and the ONNX export fold it, so that it costs nothing when serving.
 */
public record BatchNormFold(INDArray scale, INDArray mean, INDArray beta) {

    /** The fold of layer {@code index} of {@code network}, a {@link BatchNormalization} storing its variance. */
    public static BatchNormFold of(MultiLayerNetwork network, int index, BatchNormalization layer) {
        if (layer.isUseLogStd()) {
            throw new IllegalArgumentException("layer " + index + ": batch normalisation storing log10(std) is not folded");
        }
        INDArray gamma = vector(network, index, "gamma");
        INDArray var = vector(network, index, "var");
        INDArray scale = gamma.div(Transforms.sqrt(var.add(layer.getEps()), true));
        return new BatchNormFold(scale, vector(network, index, "mean"), vector(network, index, "beta"));
    }

    /** Convolution weights whose last axis is the output channel, scaled per channel (a new array). */
    public INDArray scaleWeights(INDArray weights) {
        long[] shape = weights.shape();
        INDArray rows = weights.dup('c').reshape('c', -1, shape[shape.length - 1]);
        return rows.muliRowVector(scale.castTo(weights.dataType())).reshape('c', shape);
    }

    /** The bias after the fold (a new array, shaped as {@code bias}). */
    public INDArray shiftBias(INDArray bias) {
        INDArray b = bias.reshape(-1).castTo(DataType.FLOAT);
        return b.sub(mean).muli(scale).addi(beta).reshape(bias.shape()).castTo(bias.dataType());
    }

    private static INDArray vector(MultiLayerNetwork network, int index, String name) {
        return network.getParam(index + "_" + name).reshape(-1).castTo(DataType.FLOAT).dup();
    }
}
