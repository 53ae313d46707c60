package io.fashionstream.core.model;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The native-op layer computes exactly what DL4J's own ConvolutionLayer computes. */
class NativeConv2DTest {
    @ParameterizedTest
    @CsvSource({"1, 32, 1, false, 28", "32, 64, 2, true, 13", "8, 16, 1, true, 14"})
    void matchesDl4jConvolutionLayer(int nIn, int nOut, int stride, boolean same, int size) {
        MultiLayerNetwork ours = single(new NativeConv2D(nOut, 3, stride, same), nIn, size);
        MultiLayerNetwork reference = single(new ConvolutionLayer.Builder(3, 3).stride(stride, stride).nOut(nOut)
                .convolutionMode(same ? ConvolutionMode.Same : ConvolutionMode.Truncate)
                .activation(Activation.RELU).build(), nIn, size);

        // DL4J keeps weights as [out, in, kh, kw]; the native op takes [kh, kw, in, out].
        // (Assign into the parameter views: setParam does not write through on SameDiff layers.)
        INDArray w = reference.getLayer(0).getParam("W");
        ours.getLayer(0).getParam("W").assign(w.permute(2, 3, 1, 0));
        INDArray b = Nd4j.rand(DataType.FLOAT, 1, nOut).subi(0.5);
        reference.getLayer(0).getParam("b").assign(b);
        ours.getLayer(0).getParam("b").assign(b.reshape(nOut));

        INDArray x = Nd4j.rand(DataType.FLOAT, 2, nIn, size, size);
        INDArray expected = reference.output(x);
        INDArray actual = ours.output(x);
        assertArrayEquals(expected.shape(), actual.shape());
        double maxDiff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(maxDiff < 1e-4, "max difference " + maxDiff);
        assertTrue(expected.amaxNumber().doubleValue() > 0.1, "outputs are not trivially zero");
    }

    private static MultiLayerNetwork single(org.deeplearning4j.nn.conf.layers.Layer layer, int nIn, int size) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(layer).setInputType(InputType.convolutional(size, size, nIn)).build());
        net.init();
        return net;
    }
}
