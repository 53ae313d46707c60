package io.fashionstream.core.model;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

import java.util.Map;

/**
 * 2x2 max pooling, stride 2, no padding, as libnd4j's native {@code maxpool2d} op run in NHWC
 * layout between two permutes; the layer's input and output stay NCHW like
 * {@code SubsamplingLayer}'s. On the oneDNN build the NHWC op is about ten times faster than the
 * NCHW one DL4J's layer uses (bench/levers). Inference only: see {@link InferenceNetworks}.
 */
public class NativeMaxPool2D extends SameDiffLayer {
    private int channels;

    /** For Jackson. */
    public NativeMaxPool2D() {
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) inputType;
        return InputType.convolutional((in.getHeight() - 2) / 2 + 1, (in.getWidth() - 2) / 2 + 1, in.getChannels());
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (channels <= 0 || override) {
            channels = (int) ((InputType.InputTypeConvolutional) inputType).getChannels();
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // no parameters
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        Pooling2DConfig config = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                .paddingMode(PaddingMode.VALID).isNHWC(true).build();
        SDVariable nhwc = sd.permute(input, 0, 2, 3, 1);
        return sd.permute(sd.cnn().maxPooling2d(nhwc, config), 0, 3, 1, 2);
    }

    public int getChannels() {
        return channels;
    }

    public void setChannels(int channels) {
        this.channels = channels;
    }
}
