package io.fashionstream.worker.testing;

import io.fashionstream.core.Sha256;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fashionstream.core.Json;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.worker.release.ModelRelease;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.ValueInfoProto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;

/** The committed models as releases, and broken ones: corrupted, the wrong output shape, a card that claims too much. */
public final class ReleaseFiles {
    private ReleaseFiles() {
    }

    /** {@code models/<name>.onnx} with its card, as {@code release publish} makes it. */
    public static ModelRelease release(String name) {
        return ModelRelease.of(name, card(name), onnx(name), Instant.now(), "test");
    }

    public static byte[] onnx(String name) {
        try {
            return Files.readAllBytes(TestInputs.MODELS_DIR.resolve(name + ".onnx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ModelCard card(String name) {
        try {
            return Json.MAPPER.readValue(TestInputs.MODELS_DIR.resolve(name + ".json").toFile(), ModelCard.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code name}'s release with bytes changed in transit: they no longer hash to its SHA-256. */
    public static ModelRelease corrupted(String name) {
        ModelRelease release = release(name);
        byte[] bytes = release.onnx().clone();
        bytes[bytes.length / 2] ^= 0x5a;
        return release.withBytes(bytes);
    }

    /** {@code name}'s network giving 5 scores instead of 10, published with a card that matches its bytes. */
    public static ModelRelease fiveOutputs(String name) {
        byte[] bytes = truncatedOutput(onnx(name), 5);
        ModelCard card = edited(card(name), "onnxSha256", Sha256.hex(bytes));
        return ModelRelease.of(name, card, bytes, Instant.now(), "test");
    }

    /** {@code name}'s release with a card that claims {@code accuracy} on the test split. */
    public static ModelRelease claiming(String name, double accuracy) {
        ModelCard card = card(name);
        ObjectNode tree = Json.MAPPER.valueToTree(card);
        tree.put("testAccuracy", accuracy);
        return ModelRelease.of(name, Json.MAPPER.convertValue(tree, ModelCard.class), onnx(name), Instant.now(), "test");
    }

    private static ModelCard edited(ModelCard card, String field, String value) {
        ObjectNode tree = Json.MAPPER.valueToTree(card);
        tree.put(field, value);
        return Json.MAPPER.convertValue(tree, ModelCard.class);
    }

    /** The model with its output sliced to the first {@code classes} scores (an ONNX Slice after the last node). */
    static byte[] truncatedOutput(byte[] onnx, int classes) {
        try {
            ModelProto model = ModelProto.parseFrom(onnx);
            GraphProto.Builder graph = model.getGraph().toBuilder();
            String output = graph.getOutput(0).getName();
            graph.getNodeBuilder(graph.getNodeCount() - 1).setOutput(0, "all_scores");
            graph.addInitializer(int64("slice_starts", 0)).addInitializer(int64("slice_ends", classes))
                    .addInitializer(int64("slice_axes", 1));
            graph.addNode(NodeProto.newBuilder().setOpType("Slice").setName("truncate")
                    .addInput("all_scores").addInput("slice_starts").addInput("slice_ends").addInput("slice_axes")
                    .addOutput(output));
            ValueInfoProto.Builder out = graph.getOutputBuilder(0);
            out.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(1).setDimValue(classes);
            return model.toBuilder().setGraph(graph).build().toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TensorProto int64(String name, long value) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(1).addInt64Data(value).build();
    }
}
