package io.fashionstream.core.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.fashionstream.core.FashionClass;
import io.fashionstream.core.Json;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.ImageTensors;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.inference.NhwcForwardPass;
import io.fashionstream.core.inference.OnnxEngine;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.core.model.Architecture;
import io.fashionstream.core.model.BatchNormNetworks;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelFiles.LoadedModel;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxExportTest {
    private static final Path MODELS = Path.of("..", "models");
    private static final int BATCH = 500;

    /**
     * The committed ONNX file, run by ONNX Runtime, scores the whole test split as the DL4J model
     * does (DL4J's own {@code output}, not the project's faster pass), to 1e-5.
     */
    @ParameterizedTest
    @ValueSource(strings = {"simple", "complex1", "complex2"})
    void theCommittedOnnxModelScoresTheTestSplitAsDl4jDoes(String model) throws Exception {
        LoadedModel loaded = ModelFiles.load(MODELS.resolve(model + ".zip"));
        LabelledImages images = FashionMnist.loadShippedTestSplit();
        int[] order = ImageTensors.identityOrder(images.size());
        float worst = 0;
        try (OnnxEngine onnx = OnnxEngine.open(Files.readAllBytes(MODELS.resolve(model + ".onnx")), 0)) {
            for (int from = 0; from < images.size(); from += BATCH) {
                INDArray x = ImageTensors.features(images, order, from, BATCH, null);
                float[][] expected = loaded.network().output(x, false).toFloatMatrix();
                List<Prediction> actual = onnx.batchPredict(x.data().asFloat(), BATCH);
                for (int i = 0; i < BATCH; i++) {
                    assertArrayEquals(expected[i], actual.get(i).scores(), 1e-5f, model + ", image " + (from + i));
                    for (int c = 0; c < expected[i].length; c++) {
                        worst = Math.max(worst, Math.abs(expected[i][c] - actual.get(i).scores()[c]));
                    }
                }
            }
        }
        System.out.printf("%s: largest score difference ONNX Runtime against DL4J over %d images: %.2e%n", model,
                images.size(), worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "complex1", "complex2"})
    void theCommittedFileIsWhatTheExporterWritesForTheCommittedNetworkAndTheCardRecordsIt(String model) throws Exception {
        LoadedModel loaded = ModelFiles.load(MODELS.resolve(model + ".zip"));
        byte[] exported = OnnxExport.toBytes(loaded.network(), loaded.name(), loaded.version());
        Path file = MODELS.resolve(model + ".onnx");
        assertArrayEquals(Files.readAllBytes(file), exported, "models/" + model + ".onnx is stale: run the export command");
        assertEquals(ModelFiles.sha256(file), loaded.card().orElseThrow().onnxSha256());
    }

    @Test
    void theModelIsWhatAServingRuntimeExpects() throws Exception {
        byte[] bytes = Files.readAllBytes(MODELS.resolve("complex1.onnx"));
        ModelProto proto = ModelProto.parseFrom(bytes);
        assertEquals(OnnxExport.OPSET, proto.getOpsetImport(0).getVersion());
        assertEquals(Set.of("Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Softmax"),
                proto.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toSet()));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(bytes, new OrtSession.SessionOptions())) {
            NodeInfo input = session.getInputInfo().get(OnnxExport.INPUT);
            TensorInfo in = (TensorInfo) input.getInfo();
            assertArrayEquals(new long[]{-1, 1, 28, 28}, in.getShape(), "a dynamic batch of NCHW gray images");
            assertEquals(ai.onnxruntime.OnnxJavaType.FLOAT, in.type);
            TensorInfo out = (TensorInfo) session.getOutputInfo().get(OnnxExport.OUTPUT).getInfo();
            assertArrayEquals(new long[]{-1, 10}, out.getShape());
            List<String> classes = Arrays.asList(Json.MAPPER.readValue(
                    session.getMetadata().getCustomMetadata().get(OnnxExport.CLASS_NAMES_KEY), String[].class));
            assertEquals(Arrays.stream(FashionClass.values()).map(FashionClass::displayName).toList(), classes);
        }
    }

    /** Every layer layout the trainer builds, before any model of it is trained and committed. */
    @ParameterizedTest
    @EnumSource(Architecture.class)
    void everyArchitectureFreshlyInitialisedScoresAsDl4jDoesThroughOnnxAndTheFastPass(Architecture architecture)
            throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(architecture.configuration(11));
        net.init();
        INDArray x = firstTestImages(64);
        float[][] expected = net.output(x, false).toFloatMatrix();
        assertOnnxScores(expected, x, OnnxExport.toBytes(net, architecture.modelName(), "test"));
        float[][] fast = NhwcForwardPass.of(net).orElseThrow().output(x);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], fast[i], 1e-5f, "fast pass, image " + i);
        }
    }

    @Test
    void batchNormalisationIsFoldedIntoTheConvolutionBeforeIt() throws Exception {
        MultiLayerNetwork net = BatchNormNetworks.convBnRelu(12);
        byte[] bytes = OnnxExport.toBytes(net, "complex2", "test");
        assertEquals(Set.of("Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Softmax"),
                ModelProto.parseFrom(bytes).getGraph().getNodeList().stream().map(NodeProto::getOpType)
                        .collect(Collectors.toSet()), "no BatchNormalization node: folded");
        INDArray x = firstTestImages(64);
        assertOnnxScores(net.output(x, false).toFloatMatrix(), x, bytes);
    }

    /** ONNX Runtime on {@code onnx} gives {@code expected} (DL4J's {@code output()}) for the images {@code x}, to 1e-5. */
    private static void assertOnnxScores(float[][] expected, INDArray x, byte[] onnx) throws Exception {
        try (OnnxEngine classifier = OnnxEngine.open(onnx, 0)) {
            List<Prediction> actual = classifier.batchPredict(x.data().asFloat(), expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(expected[i], actual.get(i).scores(), 1e-5f, "ONNX, image " + i);
            }
        }
    }

    private static INDArray firstTestImages(int count) throws IOException {
        LabelledImages images = FashionMnist.loadShippedTestSplit();
        return ImageTensors.features(images, ImageTensors.identityOrder(images.size()), 0, count, null);
    }

    @Test
    void aLayerTheExporterDoesNotKnowFailsWithAClearError() {
        MultiLayerNetwork recurrent = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new LSTM.Builder().nOut(8).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(28)).build());
        recurrent.init();
        OnnxExportException e = assertThrows(OnnxExportException.class, () -> OnnxExport.toBytes(recurrent, "rnn", "v1"));
        assertTrue(e.getMessage().startsWith("layer 0 (LSTM) has no ONNX export"), e.getMessage());
        MultiLayerNetwork tanhDense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(10).activation(Activation.TANH).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        tanhDense.init();
        e = assertThrows(OnnxExportException.class, () -> OnnxExport.toBytes(tanhDense, "tanh", "v1"));
        assertTrue(e.getMessage().contains("activation"), e.getMessage());
    }
}
