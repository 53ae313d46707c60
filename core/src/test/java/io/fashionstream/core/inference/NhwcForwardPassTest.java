package io.fashionstream.core.inference;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.ImageTensors;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.model.BatchNormNetworks;
import io.fashionstream.core.model.ModelFiles;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NhwcForwardPassTest {
    @ParameterizedTest
    @ValueSource(strings = {"simple", "complex1", "complex2"})
    void scoresTestImagesAsTheTrainedNetworkDoes(String model) throws Exception {
        MultiLayerNetwork trained = ModelFiles.load(Path.of("..", "models", model + ".zip")).network();
        NhwcForwardPass pass = NhwcForwardPass.of(trained).orElseThrow();
        NhwcForwardPass copy = pass.copy();
        trained.close(); // the pass keeps its own weights

        MultiLayerNetwork reference = ModelFiles.load(Path.of("..", "models", model + ".zip")).network();
        LabelledImages images = FashionMnist.loadShippedTestSplit();
        INDArray x = ImageTensors.features(images, ImageTensors.identityOrder(images.size()), 0, 100, null);
        float[][] expected = reference.output(x, false).toFloatMatrix();
        float[] pixels = x.data().asFloat();
        for (float[][] actual : List.of(pass.output(x), copy.output(pixels, 100))) {
            assertEquals(100, actual.length);
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(expected[i], actual[i], 1e-5f, model + ", image " + i);
            }
        }
        // a smaller batch reuses the front of the buffers
        float[][] three = pass.output(pixels, 3);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(expected[i], three[i], 1e-5f);
        }
    }

    @Test
    void reordersTheFirstDenseLayersRowsFromChannelMajorToPixelMajor() {
        long h = 2, w = 3, c = 4, nOut = 5;
        INDArray weights = Nd4j.arange(h * w * c * nOut).castTo(DataType.FLOAT).reshape('c', c * h * w, nOut);
        INDArray reordered = NhwcForwardPass.pixelMajorRows(weights, new long[]{h, w, c});
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    assertEquals(weights.getRow(ch * h * w + y * w + x), reordered.getRow((y * w + x) * c + ch));
                }
            }
        }
    }

    @Test
    void foldsBatchNormalisationAndTheReluAfterItIntoTheConvolution() throws Exception {
        MultiLayerNetwork net = BatchNormNetworks.convBnRelu(11);
        LabelledImages images = FashionMnist.loadShippedTestSplit();
        INDArray x = ImageTensors.features(images, ImageTensors.identityOrder(images.size()), 0, 64, null);
        float[][] expected = net.output(x, false).toFloatMatrix();
        NhwcForwardPass pass = NhwcForwardPass.of(net).orElseThrow();
        float[][] actual = pass.output(x);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 1e-5f, "image " + i);
        }
        assertEquals(List.of("0 NativeConv2D", "3 SubsamplingLayer", "4 NativeConv2D", "7 SubsamplingLayer",
                        "8 DenseLayer", "9 OutputLayer"),
                pass.profile(2, 1).stream().map(s -> s.layer() + " " + s.type()).toList(),
                "batch normalisation and ReLU are no steps of their own");
    }

    @Test
    void aNetworkWithALayerItDoesNotCoverIsLeftToDl4j() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        net.init();
        assertTrue(NhwcForwardPass.of(net).isEmpty());
    }

    @Test
    void profilesEveryStep() throws Exception {
        MultiLayerNetwork trained = ModelFiles.load(Path.of("..", "models", "complex1.zip")).network();
        List<NhwcForwardPass.Timing> steps = NhwcForwardPass.of(trained).orElseThrow().profile(4, 3);
        assertEquals(List.of("0 NativeConv2D", "1 SubsamplingLayer", "2 NativeConv2D", "3 SubsamplingLayer",
                "4 DenseLayer", "6 DenseLayer", "8 DenseLayer", "9 OutputLayer"),
                steps.stream().map(s -> s.layer() + " " + s.type()).toList(), "dropout is no step");
        assertTrue(steps.stream().allMatch(s -> s.ms() >= 0));
    }
}
