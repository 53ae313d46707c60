package io.fashionstream.core.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link NativeConv2D} as it runs at inference, with what follows a linear one folded in: a
 * batch normalisation ({@link BatchNormFold}) and then a ReLU activation layer, each optional.
 * The one reading of that pattern for both the serving pass and the ONNX export.
 *
 * @param lastLayer the index of the block's last layer: the caller continues after it
 * @param weights   {@code [kH, kW, in, out]}, folded; the network's own array when nothing was folded
 * @param bias      folded likewise
 */
public record ConvBlock(NativeConv2D conv, int lastLayer, INDArray weights, INDArray bias, boolean relu) {

    /** The block that starts at layer {@code index}, a {@link NativeConv2D}. */
    public static ConvBlock at(MultiLayerNetwork network, int index) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        NativeConv2D conv = (NativeConv2D) conf.getConf(index).getLayer();
        INDArray weights = network.getParam(index + "_W");
        INDArray bias = network.getParam(index + "_b");
        boolean relu = conv.isRelu();
        int last = index;
        if (!relu && layer(conf, last + 1) instanceof BatchNormalization bn) {
            BatchNormFold fold = BatchNormFold.of(network, ++last, bn);
            weights = fold.scaleWeights(weights);
            bias = fold.shiftBias(bias);
        }
        if (!relu && layer(conf, last + 1) instanceof ActivationLayer a && a.getActivationFn() instanceof ActivationReLU) {
            relu = true;
            last++;
        }
        return new ConvBlock(conv, last, weights, bias, relu);
    }

    private static Layer layer(MultiLayerConfiguration conf, int index) {
        return index < conf.getConfs().size() ? conf.getConf(index).getLayer() : null;
    }
}
