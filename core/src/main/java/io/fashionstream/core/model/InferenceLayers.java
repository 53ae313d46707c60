package io.fashionstream.core.model;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained network read as the few operations it performs at inference: the one walk over its
 * layers that decides what the serving pass ({@code NhwcForwardPass}) and the ONNX export cover,
 * so that the two can never disagree about a network. Dropout disappears, a convolution takes
 * the batch normalisation and ReLU after it ({@link ConvBlock}), and anything else is refused
 * with the layer it stopped at.
 */
public final class InferenceLayers {
    /** What the walk covers, for the refusal's message. */
    public static final String COVERED = "convolutions (NativeConv2D on the gray input, a linear one optionally followed"
            + " by batch normalisation, folded into it, and a ReLU), 2x2 max pooling with stride 2, dropout, flattening"
            + " (CnnToFeedForwardPreProcessor), and dense and output layers with ReLU, identity or softmax activations,"
            + " ending in a dense or output layer";

    private InferenceLayers() {
    }

    /** One operation at inference; {@code index} and {@code type} name the network layer it comes from. */
    public sealed interface Op permits Conv, MaxPool, Flatten, Dense {
        int index();

        String type();
    }

    /** A convolution with what folds into it. */
    public record Conv(int index, String type, ConvBlock block) implements Op {
    }

    /** 2x2 max pooling, stride 2, no padding. */
    public record MaxPool(int index, String type) implements Op {
    }

    /** Image activations to one row per image, channel by channel (DL4J's and ONNX's order). */
    public record Flatten(int index, String type) implements Op {
    }

    /**
     * A matrix product, bias and activation over a flat input.
     *
     * @param weights {@code [nIn, nOut]}, the network's own array
     * @param bias    {@code [1, nOut]}, the network's own array
     */
    public record Dense(int index, String type, INDArray weights, INDArray bias, Activation activation) implements Op {
    }

    /** The activations a dense layer may end with. */
    public enum Activation {
        IDENTITY, RELU, SOFTMAX;

        /** DL4J's implementation of it. */
        public IActivation dl4j() {
            return switch (this) {
                case IDENTITY -> new ActivationIdentity();
                case RELU -> new ActivationReLU();
                case SOFTMAX -> new ActivationSoftmax();
            };
        }
    }

    /** The operations of {@code network} in order; {@link UnsupportedLayerException} names the first it does not cover. */
    public static List<Op> of(MultiLayerNetwork network) throws UnsupportedLayerException {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        List<Op> ops = new ArrayList<>();
        boolean flat = false;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            String type = layer.getClass().getSimpleName();
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (pre instanceof CnnToFeedForwardPreProcessor && !flat) {
                ops.add(new Flatten(i, pre.getClass().getSimpleName()));
                flat = true;
            } else if (pre != null) {
                throw unsupported(i, pre.getClass().getSimpleName() + " (input preprocessor)");
            }
            if (layer instanceof NativeConv2D conv && !flat && (i > 0 || conv.getNIn() == 1)) {
                ConvBlock block = ConvBlock.at(network, i);
                ops.add(new Conv(i, type, block));
                i = block.lastLayer();
            } else if (layer instanceof SubsamplingLayer pool && !flat && isPlainMaxPool(pool)) {
                ops.add(new MaxPool(i, type));
            } else if (layer instanceof DropoutLayer) {
                continue; // identity at inference
            } else if ((layer instanceof DenseLayer || layer instanceof OutputLayer) && flat) {
                ops.add(new Dense(i, type, network.getParam(i + "_W"), network.getParam(i + "_b"),
                        activation(i, type, ((BaseLayer) layer).getActivationFn())));
            } else {
                throw unsupported(i, type);
            }
        }
        if (ops.isEmpty() || !(ops.get(ops.size() - 1) instanceof Dense)) {
            throw new UnsupportedLayerException("the network (not ending in a dense or output layer)");
        }
        return ops;
    }

    private static Activation activation(int index, String type, IActivation fn) throws UnsupportedLayerException {
        if (fn instanceof ActivationReLU) {
            return Activation.RELU;
        }
        if (fn instanceof ActivationSoftmax) {
            return Activation.SOFTMAX;
        }
        if (fn instanceof ActivationIdentity) {
            return Activation.IDENTITY;
        }
        throw unsupported(index, type + " with activation " + fn);
    }

    private static boolean isPlainMaxPool(SubsamplingLayer pool) {
        return pool.getPoolingType() == PoolingType.MAX
                && Arrays.equals(pool.getKernelSize(), new int[]{2, 2}) && Arrays.equals(pool.getStride(), new int[]{2, 2})
                && Arrays.equals(pool.getPadding(), new int[]{0, 0})
                && (pool.getDilation() == null || Arrays.equals(pool.getDilation(), new int[]{1, 1}))
                && (pool.getConvolutionMode() == null || pool.getConvolutionMode() == ConvolutionMode.Truncate);
    }

    private static UnsupportedLayerException unsupported(int index, String what) {
        return new UnsupportedLayerException("layer " + index + " (" + what + ")");
    }

    /** A network with a layer the walk does not cover. */
    public static final class UnsupportedLayerException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String subject;

        UnsupportedLayerException(String subject) {
            super(subject + " is not covered: " + COVERED);
            this.subject = subject;
        }

        /** What was refused: {@code layer 3 (LSTM)}, or the network as a whole. */
        public String subject() {
            return subject;
        }
    }
}
