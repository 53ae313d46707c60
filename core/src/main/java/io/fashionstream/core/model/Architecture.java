package io.fashionstream.core.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The three networks of the original notebook, in DL4J.
 *
 * <p>{@code simple} and {@code complex1} are the notebook's layers exactly (Keras parameter
 * counts 693,962 and 159,882); {@code complex2} is ours, since the notebook does not give its
 * layers: two VGG-style conv blocks with light dropout (the photo views, flips and shifts
 * regularise already), a decaying learning rate, sized to train on a 2-core CPU.
 * All take NCHW input {@code [batch, 1, 28, 28]} scaled to [0, 1] and end in a 10-way softmax
 * trained with Adam on cross-entropy.
 */
public enum Architecture {
    SIMPLE(0.001, 10, Augmentation.NONE) {
        @Override
        List<Layer> layers() {
            return List.of(
                    conv(32, 3, 1, false),
                    maxPool(),
                    dense(128),
                    softmax());
        }
    },
    COMPLEX1(0.001, 15, Augmentation.NONE) {
        @Override
        List<Layer> layers() {
            return List.of(
                    conv(32, 3, 1, false),
                    maxPool(),
                    conv(64, 3, 2, true),
                    maxPool(),
                    dense(128),
                    dropout(0.25),
                    dense(256),
                    dropout(0.25),
                    dense(128),
                    softmax());
        }
    },
    COMPLEX2(0.001, 32, Augmentation.SHIFT_AND_FLIP) {
        @Override
        List<Layer> layers() {
            return List.of(
                    conv(32, 3, 1, true),
                    conv(32, 3, 1, true),
                    maxPool(),
                    dropout(0.1),
                    conv(64, 3, 1, true),
                    conv(64, 3, 1, true),
                    maxPool(),
                    dropout(0.1),
                    dense(256),
                    dropout(0.5),
                    softmax());
        }

        /** Halved every 5 epochs (at batch 64): 64 times lower for the last two of its 32 epochs. */
        @Override
        IUpdater updater() {
            return new Adam(new StepSchedule(ScheduleType.ITERATION, learningRate(), 0.5, LR_HALVING_STEPS));
        }

        @Override
        public String learningRateSchedule() {
            return "halved every " + LR_HALVING_STEPS + " steps (5 epochs at batch 64)";
        }
    };

    /** Optimiser steps between halvings of {@code complex2}'s learning rate: 5 epochs of 54,000 images at batch 64. */
    static final int LR_HALVING_STEPS = 5 * 844;

    /** Input geometry shared by every architecture. */
    public static final int HEIGHT = 28;
    public static final int WIDTH = 28;

    private final double learningRate;
    private final int defaultEpochs;
    private final Augmentation augmentation;

    Architecture(double learningRate, int defaultEpochs, Augmentation augmentation) {
        this.learningRate = learningRate;
        this.defaultEpochs = defaultEpochs;
        this.augmentation = augmentation;
    }

    abstract List<Layer> layers();

    /** Adam at the architecture's learning rate; an architecture may schedule it. */
    IUpdater updater() {
        return new Adam(learningRate);
    }

    /** How the learning rate changes during training, for the model card. */
    public String learningRateSchedule() {
        return "constant";
    }

    /** The name used on the command line and for files in {@code models/}. */
    public String modelName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Architecture fromName(String name) {
        for (Architecture a : values()) {
            if (a.modelName().equalsIgnoreCase(name.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "': expected simple, complex1 or complex2");
    }

    public double learningRate() {
        return learningRate;
    }

    public int defaultEpochs() {
        return defaultEpochs;
    }

    /** How training varies each batch's images. */
    public Augmentation augmentation() {
        return augmentation;
    }

    /** The network configuration, with weights initialised from {@code seed}. */
    public MultiLayerConfiguration configuration(long seed) {
        NeuralNetConfiguration.ListBuilder builder = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater())
                .weightInit(WeightInit.XAVIER)
                .list();
        for (Layer layer : layers()) {
            builder.layer(layer);
        }
        return builder.setInputType(InputType.convolutional(HEIGHT, WIDTH, 1)).build();
    }

    /** One Keras-style line per layer, for the model card. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Layer layer : layers()) {
            lines.add(describe(layer));
        }
        return lines;
    }

    private static String describe(Layer layer) {
        if (layer instanceof NativeConv2D c) {
            return c.describe();
        }
        if (layer instanceof SubsamplingLayer) {
            return "MaxPool2D(2x2)";
        }
        if (layer instanceof DropoutLayer d) {
            // DL4J stores the retain probability; Keras states the drop rate.
            double retain = ((org.deeplearning4j.nn.conf.dropout.Dropout) d.getIDropout()).getP();
            return String.format(Locale.ROOT, "Dropout(%.2f)", 1 - retain);
        }
        if (layer instanceof OutputLayer o) {
            return "Dense(" + o.getNOut() + ", softmax)";
        }
        if (layer instanceof DenseLayer d) {
            return "Dense(" + d.getNOut() + ", ReLU)";
        }
        return layer.getClass().getSimpleName();
    }

    static NativeConv2D conv(int filters, int kernel, int stride, boolean same) {
        return new NativeConv2D(filters, kernel, stride, same);
    }

    static SubsamplingLayer maxPool() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }

    static DenseLayer dense(int units) {
        return new DenseLayer.Builder().nOut(units).activation(Activation.RELU).build();
    }

    /** Keras' {@code Dropout(rate)}; DL4J's argument is the probability of keeping a unit. */
    static DropoutLayer dropout(double rate) {
        return new DropoutLayer.Builder(1 - rate).build();
    }

    static OutputLayer softmax() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build();
    }
}
