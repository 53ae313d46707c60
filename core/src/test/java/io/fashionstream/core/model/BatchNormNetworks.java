package io.fashionstream.core.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/** A network with batch normalisation whose statistics look trained, for the folding tests. */
public final class BatchNormNetworks {
    private BatchNormNetworks() {
    }

    /**
     * Two blocks of a linear convolution, batch normalisation (storing its variance) and ReLU,
     * each followed by pooling, then dense layers; initialised from {@code seed}, each batch
     * normalisation given random scales, shifts, means and variances (a fresh one is the
     * identity, which would hide a wrong fold).
     */
    public static MultiLayerNetwork convBnRelu(long seed) {
        NeuralNetConfiguration.ListBuilder builder = new NeuralNetConfiguration.Builder().seed(seed).list();
        for (Layer layer : List.of(
                new NativeConv2D(16, 3, 1, true).linear(), batchNorm(), relu(), Architecture.maxPool(),
                new NativeConv2D(32, 3, 2, true).linear(), batchNorm(), relu(), Architecture.maxPool(),
                Architecture.dense(64), Architecture.softmax())) {
            builder.layer(layer);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(builder.setInputType(InputType.convolutional(28, 28, 1)).build());
        net.init();
        Nd4j.getRandom().setSeed(seed);
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayerWiseConfigurations().getConf(i).getLayer() instanceof BatchNormalization) {
                uniform(net, i, "gamma", 0.5, 1.5);
                uniform(net, i, "beta", -0.5, 0.5);
                uniform(net, i, "mean", -0.3, 0.3);
                uniform(net, i, "var", 0.2, 2.0);
            }
        }
        return net;
    }

    private static BatchNormalization batchNorm() {
        return new BatchNormalization.Builder().useLogStd(false).build();
    }

    private static ActivationLayer relu() {
        return new ActivationLayer.Builder().activation(Activation.RELU).build();
    }

    private static void uniform(MultiLayerNetwork net, int layer, String name, double from, double to) {
        INDArray p = net.getParam(layer + "_" + name);
        net.setParam(layer + "_" + name, Nd4j.rand(p.dataType(), p.shape()).muli(to - from).addi(from));
    }
}
