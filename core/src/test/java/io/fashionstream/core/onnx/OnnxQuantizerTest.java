package io.fashionstream.core.onnx;

import io.fashionstream.core.Json;
import io.fashionstream.core.data.DataNotFoundException;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.inference.OnnxEngine;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.core.model.ModelCard;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The INT8 version of the default model, calibrated on training images: standard QDQ operators,
 * int8 weights, and the test split's accuracy within a fraction of a point of float32's (timings
 * belong to the engine bench, never here).
 */
class OnnxQuantizerTest {
    private static final Path MODELS = Path.of("..", "models");

    @Test
    void complex2InInt8KeepsItsAccuracyWithStandardQdqOperators() throws Exception {
        LabelledImages train;
        try {
            train = new FashionMnist(Optional.empty()).locate(FashionMnist.Split.TRAIN).load().head(1_000);
        } catch (DataNotFoundException e) {
            Assumptions.abort("no Fashion-MNIST train split here to calibrate on (apt-get install dataset-fashion-mnist)");
            return;
        }
        byte[] int8 = OnnxQuantizer.quantize(Files.readAllBytes(MODELS.resolve("complex2.onnx")), pixels(train),
                train.size());

        ModelProto model = ModelProto.parseFrom(int8);
        List<String> ops = model.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertTrue(ops.contains("QuantizeLinear") && ops.contains("DequantizeLinear"), ops.toString());
        assertEquals(5, model.getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == TensorProto.DataType.INT8_VALUE && t.getDimsCount() > 1).count(),
                "int8 weights for the four convolutions and the hidden dense layer");
        assertTrue(model.getMetadataPropsList().stream().anyMatch(p -> p.getKey().equals(OnnxQuantizer.PRECISION_KEY)
                && p.getValue().equals("int8")));

        ModelCard card = Json.MAPPER.readValue(MODELS.resolve("complex2.json").toFile(), ModelCard.class);
        LabelledImages test = FashionMnist.loadShippedTestSplit();
        double accuracy;
        try (OnnxEngine engine = OnnxEngine.open(int8, 2)) {
            accuracy = accuracy(engine, test);
        }
        assertTrue(Math.abs(accuracy - card.testAccuracy()) < 0.003,
                "int8 " + accuracy + " against float32's " + card.testAccuracy());
        assertTrue(int8.length < Files.size(MODELS.resolve("complex2.onnx")) / 3, "int8 weights: " + int8.length + " bytes");
    }

    private static float[] pixels(LabelledImages images) {
        float[] out = new float[images.pixels().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (images.pixels()[i] & 0xff) / 255f;
        }
        return out;
    }

    private static double accuracy(OnnxEngine engine, LabelledImages images) throws Exception {
        float[] all = pixels(images);
        int correct = 0;
        for (int from = 0; from < images.size(); from += 500) {
            int n = Math.min(500, images.size() - from);
            float[] batch = new float[n * 784];
            System.arraycopy(all, from * 784, batch, 0, n * 784);
            List<Prediction> predictions = engine.batchPredict(batch, n);
            for (int i = 0; i < n; i++) {
                correct += predictions.get(i).fashionClass() == images.label(from + i) ? 1 : 0;
            }
        }
        return (double) correct / images.size();
    }
}
