package io.fashionstream.core.onnx;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.Json;
import io.fashionstream.core.model.Architecture;
import io.fashionstream.core.model.ConvBlock;
import io.fashionstream.core.model.InferenceLayers;
import io.fashionstream.core.model.NativeConv2D;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a trained network as an ONNX model that any ONNX runtime serves (ONNX Runtime, Triton,
 * KServe, Seldon, DJL): standard operators only ({@code Conv}, {@code Relu}, {@code MaxPool},
 * {@code Flatten}, {@code Gemm}, {@code Softmax}) at opset {@value #OPSET}, one float32 input
 * {@value #INPUT} {@code [N, 1, 28, 28]} (NCHW, pixels / 255, article bright on black, as the raw
 * Fashion-MNIST bytes) with a dynamic batch dimension, one output {@value #OUTPUT}
 * {@code [N, 10]} of class probabilities, and the class names in the model's metadata
 * ({@value #CLASS_NAMES_KEY}, a JSON array in label order). It covers what {@link InferenceLayers}
 * covers (the serving pass reads the same walk); any other layer ends the export with an
 * {@link OnnxExportException} naming the layer.
 */
public final class OnnxExport {
    public static final String INPUT = "images";
    public static final String OUTPUT = "probabilities";
    public static final int OPSET = 17;
    /** The ONNX IR version that goes with opset 17. */
    public static final long IR_VERSION = 8;
    public static final String CLASS_NAMES_KEY = "class_names";
    public static final String INPUT_CONVENTION_KEY = "input_convention";
    static final String INPUT_CONVENTION = "float32 [N,1,28,28], NCHW, grayscale pixels / 255, article bright on a dark background";

    private OnnxExport() {
    }

    /** The ONNX model of {@code network}, serialised. */
    public static byte[] toBytes(MultiLayerNetwork network, String modelName, String version) throws OnnxExportException {
        return model(network, modelName, version).toByteArray();
    }

    /** Writes the ONNX model of {@code network} to {@code file} (atomically: a temporary file, then a move). */
    public static void write(MultiLayerNetwork network, String modelName, String version, Path file)
            throws OnnxExportException, IOException {
        byte[] bytes = toBytes(network, modelName, version);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    static ModelProto model(MultiLayerNetwork network, String modelName, String version) throws OnnxExportException {
        GraphProto.Builder graph = GraphProto.newBuilder().setName(modelName);
        graph.addInput(tensorInfo(INPUT, "N", 1, Architecture.HEIGHT, Architecture.WIDTH));
        layers(network, graph);
        graph.getNodeBuilder(graph.getNodeCount() - 1).setOutput(0, OUTPUT);
        graph.addOutput(tensorInfo(OUTPUT, "N", FashionClass.COUNT));
        List<String> classes = Arrays.stream(FashionClass.values()).map(FashionClass::displayName).toList();
        String classNames;
        try {
            classNames = Json.MAPPER.writeValueAsString(classes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("fashion-stream")
                .setProducerVersion(version)
                .setDomain("io.fashionstream")
                .setDocString("Fashion-MNIST classifier '" + modelName + "' (version " + version + "), trained with Deeplearning4j")
                .setGraph(graph)
                .addMetadataProps(entry(CLASS_NAMES_KEY, classNames))
                .addMetadataProps(entry(INPUT_CONVENTION_KEY, INPUT_CONVENTION))
                .addMetadataProps(entry("model_name", modelName))
                .addMetadataProps(entry("model_version", version))
                .build();
    }

    /** Adds the nodes of every operation of the network ({@link InferenceLayers}), each reading the previous one's output. */
    private static void layers(MultiLayerNetwork network, GraphProto.Builder graph) throws OnnxExportException {
        List<InferenceLayers.Op> ops;
        try {
            ops = InferenceLayers.of(network);
        } catch (InferenceLayers.UnsupportedLayerException e) {
            throw new OnnxExportException(e.subject() + " has no ONNX export: the exporter covers " + InferenceLayers.COVERED, e);
        }
        String x = INPUT;
        for (InferenceLayers.Op op : ops) {
            String name = "layer" + op.index();
            if (op instanceof InferenceLayers.Conv c) {
                x = conv(graph, name, x, c.block());
            } else if (op instanceof InferenceLayers.MaxPool) {
                x = node(graph, "MaxPool", name, List.of(x), List.of(intsAttribute("kernel_shape", 2, 2),
                        intsAttribute("strides", 2, 2)));
            } else if (op instanceof InferenceLayers.Flatten) {
                // DL4J flattens NCHW activations channel by channel, as ONNX's Flatten does.
                x = node(graph, "Flatten", name + "_flatten", List.of(x), List.of(intAttribute("axis", 1)));
            } else if (op instanceof InferenceLayers.Dense d) {
                x = dense(graph, name, x, d);
            }
        }
    }

    private static String conv(GraphProto.Builder graph, String name, String x, ConvBlock block) {
        NativeConv2D conv = block.conv();
        // NativeConv2D keeps weights as [kH, kW, in, out]; ONNX wants [out, in, kH, kW].
        graph.addInitializer(tensor(name + "_W", block.weights().permute(3, 2, 0, 1).dup('c').castTo(DataType.FLOAT)));
        graph.addInitializer(tensor(name + "_B", block.bias().reshape(-1).dup('c').castTo(DataType.FLOAT)));
        int k = conv.getKernel();
        int s = conv.getStride();
        List<AttributeProto> attributes = new ArrayList<>(List.of(intsAttribute("kernel_shape", k, k),
                intsAttribute("strides", s, s)));
        if (conv.isSamePadding()) {
            attributes.add(stringAttribute("auto_pad", "SAME_UPPER")); // as TensorFlow and libnd4j pad: any odd pixel at the end
        }
        String y = node(graph, "Conv", name, List.of(x, name + "_W", name + "_B"), attributes);
        return block.relu() ? node(graph, "Relu", name + "_relu", List.of(y), List.of()) : y;
    }

    private static String dense(GraphProto.Builder graph, String name, String x, InferenceLayers.Dense dense) {
        graph.addInitializer(tensor(name + "_W", dense.weights().dup('c').castTo(DataType.FLOAT)));
        graph.addInitializer(tensor(name + "_B", dense.bias().reshape(-1).dup('c').castTo(DataType.FLOAT)));
        String y = node(graph, "Gemm", name, List.of(x, name + "_W", name + "_B"), List.of());
        return switch (dense.activation()) {
            case RELU -> node(graph, "Relu", name + "_relu", List.of(y), List.of());
            case SOFTMAX -> node(graph, "Softmax", name + "_softmax", List.of(y), List.of(intAttribute("axis", 1)));
            case IDENTITY -> y;
        };
    }

    private static String node(GraphProto.Builder graph, String op, String name, List<String> inputs,
                               List<AttributeProto> attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(name + "_out");
        inputs.forEach(node::addInput);
        attributes.forEach(node::addAttribute);
        graph.addNode(node);
        return name + "_out";
    }

    private static TensorProto tensor(String name, INDArray array) {
        float[] values = Nd4j.toFlattened('c', array).toFloatVector();
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : array.shape()) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A float tensor's type and shape; a String dimension is symbolic (the batch). */
    private static ValueInfoProto tensorInfo(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            shape.addDim(d instanceof String s ? TensorShapeProto.Dimension.newBuilder().setDimParam(s)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto intsAttribute(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static AttributeProto stringAttribute(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
