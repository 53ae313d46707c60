package io.fashionstream.core.inference;

import io.fashionstream.core.model.Architecture;
import io.fashionstream.core.model.InferenceLayers;
import io.fashionstream.core.model.NativeConv2D;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A trained convolutional network's forward pass as a fixed list of native ops over buffers
 * allocated once, with activations in NHWC from input to flattening. It computes what
 * {@code MultiLayerNetwork.output} does (to float rounding) without what costs time there: one
 * SameDiff graph per layer, fresh arrays for every activation (each a page-faulting allocation
 * of up to tens of MB) and, around every pooling, two NCHW/NHWC permutes. The input needs no
 * permute (one channel: NCHW and NHWC are the same bytes); the first dense layer's weight rows
 * are permuted once, from channel-major to pixel-major order, so that flattening is free.
 *
 * <p>Covers what {@link InferenceLayers} covers (the ONNX export reads the same walk);
 * {@link #of} says empty for any other network. Not thread-safe: one
 * per thread ({@link #copy} shares the weights, not the buffers).
 */
public final class NhwcForwardPass {
    private final List<Step> steps;
    /** Input images, {@code [capacity, 28, 28, 1]}; grown when a batch is larger than any before. */
    private INDArray input;

    private NhwcForwardPass(List<Step> steps) {
        this.steps = steps;
    }

    /** The pass for {@code network}, or empty when {@link InferenceLayers} does not cover one of its layers. */
    public static Optional<NhwcForwardPass> of(MultiLayerNetwork network) {
        List<InferenceLayers.Op> ops;
        try {
            ops = InferenceLayers.of(network);
        } catch (InferenceLayers.UnsupportedLayerException e) {
            return Optional.empty();
        }
        List<Step> steps = new ArrayList<>();
        long[] shape = {Architecture.HEIGHT, Architecture.WIDTH, 1}; // h, w, c of the current activation
        long[] flattened = null; // the shape a Flatten left, for the dense layer after it
        for (InferenceLayers.Op op : ops) {
            Name name = new Name(op.index(), op.type());
            if (op instanceof InferenceLayers.Conv c) {
                NativeConv2D conv = c.block().conv();
                shape = new long[]{outputSize(shape[0], conv), outputSize(shape[1], conv), conv.getNOut()};
                // Copies, so that the pass outlives the network (closing a network frees its parameters).
                steps.add(new ConvStep(name, c.block().weights().dup('c'), c.block().bias().dup('c'), conv,
                        c.block().relu(), shape));
            } else if (op instanceof InferenceLayers.MaxPool) {
                shape = new long[]{shape[0] / 2, shape[1] / 2, shape[2]};
                steps.add(new PoolStep(name, shape));
            } else if (op instanceof InferenceLayers.Flatten) {
                flattened = shape; // free in NHWC: the next dense layer's rows are reordered instead
            } else if (op instanceof InferenceLayers.Dense d) {
                INDArray weights = d.weights().dup('c');
                if (flattened != null) {
                    weights = pixelMajorRows(weights, flattened);
                    flattened = null;
                }
                steps.add(new DenseStep(name, weights, d.bias().dup('c'), d.activation().dl4j(), weights.size(1)));
            }
        }
        return Optional.of(new NhwcForwardPass(steps));
    }

    /** Another pass over the same (read-only) weights with buffers of its own, for another thread. */
    public NhwcForwardPass copy() {
        return new NhwcForwardPass(steps.stream().map(Step::copy).toList());
    }

    /**
     * Scores of {@code count} images held in {@code pixels} (row-major, image {@code i} at
     * {@code [i * 784, (i + 1) * 784)}), one row of class probabilities each.
     */
    public float[][] output(float[] pixels, int count) {
        INDArray x = inputView(count);
        new FloatPointer(x.data().addressPointer()).put(pixels, 0, count * Dl4jEngine.PIXELS);
        return run(x).toFloatMatrix();
    }

    /** Scores of a {@code [n, 1, 28, 28]} tensor. */
    public float[][] output(INDArray nchw) {
        int n = (int) nchw.size(0);
        INDArray x = inputView(n);
        x.assign(nchw.reshape('c', n, Architecture.HEIGHT, Architecture.WIDTH, 1));
        return run(x).toFloatMatrix();
    }

    /** Each step's median time in ms over {@code repeats} runs on a batch of {@code n} random images. */
    public List<Timing> profile(int n, int repeats) {
        INDArray activation = inputView(n).assign(Nd4j.rand(DataType.FLOAT, n, Architecture.HEIGHT, Architecture.WIDTH, 1));
        List<Timing> timings = new ArrayList<>();
        for (Step step : steps) {
            double[] ms = new double[repeats];
            INDArray in = activation;
            step.apply(in, n); // warm
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                step.apply(in, n);
                ms[r] = (System.nanoTime() - start) / 1e6;
            }
            activation = step.apply(in, n);
            Arrays.sort(ms);
            timings.add(new Timing(step.name().layer(), step.name().type(), ms[repeats / 2]));
        }
        return timings;
    }

    /** One step of the pass (the network layer it computes) and its median time. */
    public record Timing(int layer, String type, double ms) {
    }

    /** The layer a step computes: its index in the network and its DL4J type. */
    private record Name(int layer, String type) {
    }

    private INDArray run(INDArray x) {
        int n = (int) x.size(0);
        INDArray activation = x;
        for (Step step : steps) {
            activation = step.apply(activation, n);
        }
        return activation;
    }

    private INDArray inputView(int n) {
        if (input == null || n > input.size(0)) {
            input = Nd4j.create(DataType.FLOAT, n, Architecture.HEIGHT, Architecture.WIDTH, 1);
        }
        return rows(input, n);
    }

    private static long outputSize(long in, NativeConv2D conv) {
        return conv.isSamePadding() ? (in + conv.getStride() - 1) / conv.getStride()
                : (in - conv.getKernel()) / conv.getStride() + 1;
    }

    /** Dense weights trained on channel-major flattening ({@code c, h, w}) reordered for pixel-major ({@code h, w, c}). */
    static INDArray pixelMajorRows(INDArray weights, long[] hwc) {
        long h = hwc[0], w = hwc[1], c = hwc[2];
        long nOut = weights.size(1);
        return weights.dup('c').reshape('c', c, h, w, nOut).permute(1, 2, 0, 3).dup('c').reshape('c', h * w * c, nOut);
    }

    /** The first {@code n} rows of a buffer: a contiguous view. */
    private static INDArray rows(INDArray buffer, long n) {
        return n == buffer.size(0) ? buffer : buffer.get(NDArrayIndex.interval(0, n));
    }

    /** One op of the pass: reads the previous activation, writes its own buffer. */
    private abstract static class Step {
        private final Name name;
        private final long[] rowShape;
        private INDArray buffer;

        Step(Name name, long[] rowShape) {
            this.name = name;
            this.rowShape = rowShape;
        }

        Name name() {
            return name;
        }

        /** This step's output for {@code n} rows, in its buffer (grown when a batch is larger than any before). */
        INDArray out(long n) {
            if (buffer == null || n > buffer.size(0)) {
                long[] shape = new long[rowShape.length + 1];
                shape[0] = n;
                System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
                buffer = Nd4j.create(DataType.FLOAT, shape);
            }
            return rows(buffer, n);
        }

        abstract INDArray apply(INDArray in, int n);

        abstract Step copy();
    }

    /** Convolution with bias (batch normalisation folded in, if any), then ReLU in place. */
    private static final class ConvStep extends Step {
        private final INDArray weights;
        private final INDArray bias;
        private final NativeConv2D conv;
        private final boolean relu;
        private final long[] hwc;
        private final Conv2DConfig config;

        ConvStep(Name name, INDArray weights, INDArray bias, NativeConv2D conv, boolean relu, long[] hwc) {
            super(name, hwc);
            this.weights = weights;
            this.bias = bias;
            this.conv = conv;
            this.relu = relu;
            this.hwc = hwc;
            this.config = Conv2DConfig.builder().kH(conv.getKernel()).kW(conv.getKernel())
                    .sH(conv.getStride()).sW(conv.getStride())
                    .paddingMode(conv.isSamePadding() ? PaddingMode.SAME : PaddingMode.VALID)
                    .dataFormat("NHWC").build();
        }

        @Override
        INDArray apply(INDArray in, int n) {
            INDArray out = out(n);
            Nd4j.exec(new Conv2D(in, weights, bias, out, config));
            if (relu) {
                Nd4j.exec(new RectifiedLinear(out, out, 0.0));
            }
            return out;
        }

        @Override
        Step copy() {
            return new ConvStep(name(), weights, bias, conv, relu, hwc);
        }
    }

    /** 2x2 max pooling, stride 2, NHWC. */
    private static final class PoolStep extends Step {
        private static final Pooling2DConfig CONFIG = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                .paddingMode(PaddingMode.VALID).isNHWC(true).build();
        private final long[] hwc;

        PoolStep(Name name, long[] hwc) {
            super(name, hwc);
            this.hwc = hwc;
        }

        @Override
        INDArray apply(INDArray in, int n) {
            INDArray out = out(n);
            Nd4j.exec(new MaxPooling2D(in, out, CONFIG));
            return out;
        }

        @Override
        Step copy() {
            return new PoolStep(name(), hwc);
        }
    }

    /** Matrix product, bias, activation; flattens a 4-D input (pixel-major, see {@link #pixelMajorRows}). */
    private static final class DenseStep extends Step {
        private final INDArray weights;
        private final INDArray bias;
        private final IActivation activation;
        private final long nOut;

        DenseStep(Name name, INDArray weights, INDArray bias, IActivation activation, long nOut) {
            super(name, new long[]{nOut});
            this.weights = weights;
            this.bias = bias;
            this.activation = activation;
            this.nOut = nOut;
        }

        @Override
        INDArray apply(INDArray in, int n) {
            INDArray flat = in.rank() == 2 ? in : in.reshape('c', n, in.length() / n);
            INDArray out = out(n);
            flat.mmuli(weights, out);
            out.addiRowVector(bias);
            INDArray activated = activation.getActivation(out, false);
            if (activated != out) {
                out.assign(activated);
            }
            return out;
        }

        @Override
        Step copy() {
            return new DenseStep(name(), weights, bias, activation, nOut);
        }
    }
}
