package io.fashionstream.core.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.Arrays;

/**
 * Rewrites a trained network for inference with the faster native layers where they compute
 * the same function: 2x2/2 max pooling becomes {@link NativeMaxPool2D}. Pooling has no
 * parameters, so the parameter vector carries over unchanged. Training keeps DL4J's layers.
 */
public final class InferenceNetworks {
    private InferenceNetworks() {
    }

    /**
     * A new network computing what {@code network} does, faster (a plain copy when no layer has
     * a faster equivalent); {@code network} itself is left as it is, and the caller owns both.
     */
    public static MultiLayerNetwork optimized(MultiLayerNetwork network) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations().clone();
        boolean changed = false;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            if (isPlainMaxPool(layer)) {
                NativeMaxPool2D pool = new NativeMaxPool2D();
                pool.setLayerName(layer.getLayerName());
                conf.getConf(i).setLayer(pool);
                changed = true;
            }
        }
        if (!changed) {
            return network.clone();
        }
        MultiLayerNetwork optimized = new MultiLayerNetwork(conf);
        optimized.init(network.params().dup(), false);
        return optimized;
    }

    private static boolean isPlainMaxPool(Layer layer) {
        return layer instanceof SubsamplingLayer s
                && s.getPoolingType() == org.deeplearning4j.nn.conf.layers.PoolingType.MAX
                && Arrays.equals(s.getKernelSize(), new int[]{2, 2})
                && Arrays.equals(s.getStride(), new int[]{2, 2})
                && Arrays.equals(s.getPadding(), new int[]{0, 0})
                && s.getConvolutionMode() != org.deeplearning4j.nn.conf.ConvolutionMode.Same
                && s.getDilation()[0] == 1 && s.getDilation()[1] == 1;
    }
}
