package io.fashionstream.core.model;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

import java.util.Map;

/**
 * A 2-D convolution with bias and ReLU (Keras {@code Conv2D(..., activation='relu')}, NCHW)
 * that runs libnd4j's native {@code conv2d} op and its native gradient; {@link #linear()}
 * leaves the ReLU out, for a batch normalisation to come between.
 *
 * <p>Why not DL4J's {@code ConvolutionLayer}: on 1.0.0-M2.1 that layer does im2col and the
 * matrix product in Java-side array code and reaches 0.5-3 GFLOP/s on this project's CPUs,
 * while the native op (oneDNN in the {@code -onednn-avx2} build) reaches about 50 GFLOP/s
 * on the same shapes. Same mathematics, same parameter count: {@code k*k*nIn*nOut + nOut}.
 *
 * <p>Fields are plain bean properties because DL4J serialises layer configurations with Jackson.
 */
public class NativeConv2D extends SameDiffLayer {
    private static final String WEIGHTS = "W";
    private static final String BIAS = "b";

    private int nIn;
    private int nOut;
    private int kernel = 3;
    private int stride = 1;
    private boolean samePadding;
    /** ReLU after the bias; false where batch normalisation follows (then an activation layer). */
    private boolean relu = true;

    /** For Jackson. */
    public NativeConv2D() {
    }

    /**
     * @param nOut        number of filters
     * @param kernel      square kernel size
     * @param stride      stride in both directions
     * @param samePadding Keras {@code padding='same'} (otherwise {@code 'valid'})
     */
    public NativeConv2D(int nOut, int kernel, int stride, boolean samePadding) {
        this.nOut = nOut;
        this.kernel = kernel;
        this.stride = stride;
        this.samePadding = samePadding;
    }

    /** The same convolution without its ReLU: for a batch normalisation to follow. */
    public NativeConv2D linear() {
        NativeConv2D c = new NativeConv2D(nOut, kernel, stride, samePadding);
        c.relu = false;
        return c;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) inputType;
        return InputType.convolutional(outputSize(in.getHeight()), outputSize(in.getWidth()), nOut);
    }

    private long outputSize(long in) {
        return samePadding ? (in + stride - 1) / stride : (in - kernel) / stride + 1;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn <= 0 || override) {
            nIn = (int) ((InputType.InputTypeConvolutional) inputType).getChannels();
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
        params.addWeightParam(WEIGHTS, kernel, kernel, nIn, nOut);
        params.addBiasParam(BIAS, nOut);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // He initialisation suits ReLU; a seeded configuration makes it reproducible.
        INDArray w = params.get(WEIGHTS);
        WeightInit.RELU.getWeightInitFunction().init(kernel * kernel * nIn, kernel * kernel * nOut, w.shape(), 'c', w);
        params.get(BIAS).assign(0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        Conv2DConfig config = Conv2DConfig.builder()
                .kH(kernel).kW(kernel).sH(stride).sW(stride)
                .paddingMode(samePadding ? PaddingMode.SAME : PaddingMode.VALID)
                .dataFormat("NCHW")
                .build();
        SDVariable conv = sd.cnn().conv2d(input, params.get(WEIGHTS), params.get(BIAS), config);
        return relu ? sd.nn().relu(conv, 0) : conv;
    }

    /** Keras-style summary, for model cards. */
    public String describe() {
        return String.format("Conv2D(%d, %dx%d, stride %d, %s%s)", nOut, kernel, kernel, stride,
                samePadding ? "same" : "valid", relu ? ", ReLU" : "");
    }

    public int getNIn() {
        return nIn;
    }

    public void setNIn(int nIn) {
        this.nIn = nIn;
    }

    public int getNOut() {
        return nOut;
    }

    public void setNOut(int nOut) {
        this.nOut = nOut;
    }

    public int getKernel() {
        return kernel;
    }

    public void setKernel(int kernel) {
        this.kernel = kernel;
    }

    public int getStride() {
        return stride;
    }

    public void setStride(int stride) {
        this.stride = stride;
    }

    public boolean isRelu() {
        return relu;
    }

    public void setRelu(boolean relu) {
        this.relu = relu;
    }

    public boolean isSamePadding() {
        return samePadding;
    }

    public void setSamePadding(boolean samePadding) {
        this.samePadding = samePadding;
    }
}
