package io.fashionstream.core.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.shade.protobuf.ByteString;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Static INT8 quantization of a model {@link OnnxExport} wrote, in ONNX's standard QDQ form, the
 * way ONNX Runtime's own quantizer writes it: the weights of every convolution and hidden dense
 * layer as int8 per output channel (symmetric, zero point 0) behind a {@code DequantizeLinear},
 * their biases as int32 in the product of the input's and the weight's scales, and each
 * activation those layers read as uint8 through a {@code QuantizeLinear}/{@code DequantizeLinear}
 * pair: after every ReLU (zero point 0, so the ReLU folds into the quantization) and on the image
 * input (scale 1/255: the pixels themselves). Activation ranges are the largest ReLU outputs seen
 * on calibration images. The last dense layer, which feeds the softmax, stays in float32.
 * ONNX Runtime fuses each DQ → Conv/Gemm → ReLU → Q group into one integer operation.
 */
public final class OnnxQuantizer {
    /** Metadata key saying a model's precision. */
    public static final String PRECISION_KEY = "precision";
    private static final int CALIBRATION_BATCH = 100;
    private static final String ZERO_U8 = "qdq_zero_u8";

    private final ModelProto model;
    private final Map<String, String> dequantized = new HashMap<>();
    private GraphProto.Builder out;

    private OnnxQuantizer(ModelProto model) {
        this.model = model;
    }

    /**
     * The INT8 version of {@code floatModel}, calibrated on {@code count} images held in
     * {@code calibration} (row-major pixels in [0, 1], as the worker feeds the model; never the
     * test split, which the quantized model is judged on).
     */
    public static byte[] quantize(byte[] floatModel, float[] calibration, int count) throws OnnxExportException {
        try {
            return new OnnxQuantizer(ModelProto.parseFrom(floatModel)).quantized(calibration, count);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxExportException("not an ONNX model: " + e.getMessage(), e);
        } catch (OrtException e) {
            throw new OnnxExportException("calibration failed: " + e.getMessage(), e);
        }
    }

    private byte[] quantized(float[] calibration, int count) throws OrtException {
        GraphProto graph = model.getGraph();
        Map<String, Float> scales = new HashMap<>(calibrate(calibration, count));
        scales.put(OnnxExport.INPUT, 1f / 255);
        Map<String, TensorProto> initializers = new HashMap<>();
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Map<String, NodeProto> producers = new HashMap<>();
        graph.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producers.put(o, n)));
        String lastDense = graph.getNodeList().stream().filter(n -> n.getOpType().equals("Softmax"))
                .map(n -> producers.get(n.getInput(0)).getName()).findFirst().orElse("");
        out = graph.toBuilder().clearNode().clearInitializer();
        out.addInitializer(TensorProto.newBuilder().setName(ZERO_U8).setDataType(TensorProto.DataType.UINT8_VALUE)
                .setRawData(ByteString.copyFrom(new byte[1])));
        List<String> kept = new ArrayList<>();
        for (NodeProto node : graph.getNodeList()) {
            boolean integer = (node.getOpType().equals("Conv") || node.getOpType().equals("Gemm"))
                    && !node.getName().equals(lastDense);
            if (integer) {
                addInteger(node, initializers, scaleOf(node.getInput(0), producers, scales));
                continue;
            }
            out.addNode(rewired(node));
            node.getInputList().stream().filter(initializers::containsKey).filter(i -> !kept.contains(i)).forEach(kept::add);
            if (node.getOpType().equals("Relu")) {
                quantizeActivation(node.getOutput(0), scales.get(node.getOutput(0)));
            }
        }
        kept.forEach(name -> out.addInitializer(initializers.get(name)));
        return model.toBuilder().setGraph(out)
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(PRECISION_KEY).setValue("int8"))
                .build().toByteArray();
    }

    /** A convolution or dense layer on int8 weights, int32 bias and its input quantized with scale {@code sx}. */
    private void addInteger(NodeProto node, Map<String, TensorProto> initializers, float sx) {
        String x = node.getInput(0);
        String input = dequantized.containsKey(x) ? dequantized.get(x) : quantizeActivation(x, sx);
        String name = node.getName();
        TensorProto w = initializers.get(node.getInput(1));
        float[] weights = floats(w);
        long[] dims = w.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int axis = node.getOpType().equals("Conv") ? 0 : 1; // Conv [out, in, kH, kW]; Gemm [in, out]
        int channels = (int) dims[axis];
        float[] ws = new float[channels];
        for (int i = 0; i < weights.length; i++) {
            int c = channelOf(i, dims, axis);
            ws[c] = Math.max(ws[c], Math.abs(weights[i]));
        }
        for (int c = 0; c < channels; c++) {
            ws[c] = Math.max(ws[c], 1e-12f) / 127f;
        }
        byte[] wq = new byte[weights.length];
        for (int i = 0; i < weights.length; i++) {
            wq[i] = (byte) Math.max(-127, Math.min(127, Math.round(weights[i] / ws[channelOf(i, dims, axis)])));
        }
        String wdq = dequantize(name + "_W", TensorProto.DataType.INT8_VALUE, dims, wq, ws, new byte[channels], axis);
        float[] bias = floats(initializers.get(node.getInput(2)));
        float[] bs = new float[channels];
        ByteBuffer bq = ByteBuffer.allocate(Integer.BYTES * channels).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < channels; c++) {
            bs[c] = sx * ws[c];
            bq.putInt(Math.round(bias[c] / bs[c]));
        }
        String bdq = dequantize(name + "_B", TensorProto.DataType.INT32_VALUE, new long[]{channels}, bq.array(), bs,
                new byte[Integer.BYTES * channels], 0);
        out.addNode(node.toBuilder().setInput(0, input).setInput(1, wdq).setInput(2, bdq));
    }

    /** {@code <name>_q} (raw bytes of {@code type}) with per-channel scales behind a DequantizeLinear; its output. */
    private String dequantize(String name, int type, long[] dims, byte[] raw, float[] scales, byte[] zeros, int axis) {
        TensorProto.Builder q = TensorProto.newBuilder().setName(name + "_q").setDataType(type).setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            q.addDims(d);
        }
        out.addInitializer(q);
        out.addInitializer(floats(name + "_scale", scales));
        out.addInitializer(TensorProto.newBuilder().setName(name + "_zero").setDataType(type).addDims(scales.length)
                .setRawData(ByteString.copyFrom(zeros)));
        out.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(name + "_dq").addInput(name + "_q")
                .addInput(name + "_scale").addInput(name + "_zero").addOutput(name + "_dq_out")
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(axis)));
        return name + "_dq_out";
    }

    /** Puts a uint8 QuantizeLinear/DequantizeLinear pair after tensor {@code t}; later readers of it read the pair. */
    private String quantizeActivation(String t, float scale) {
        String s = t + "_scale";
        out.addInitializer(TensorProto.newBuilder().setName(s).setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(scale));
        out.addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").setName(t + "_quantize").addInput(t).addInput(s)
                .addInput(ZERO_U8).addOutput(t + "_q"));
        out.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(t + "_dequantize").addInput(t + "_q")
                .addInput(s).addInput(ZERO_U8).addOutput(t + "_dq"));
        dequantized.put(t, t + "_dq");
        return t + "_dq";
    }

    private NodeProto rewired(NodeProto node) {
        NodeProto.Builder b = node.toBuilder();
        for (int i = 0; i < b.getInputCount(); i++) {
            b.setInput(i, dequantized.getOrDefault(b.getInput(i), b.getInput(i)));
        }
        return b.build();
    }

    /** The scale of {@code x}: its own, or that of what a MaxPool or Flatten before it read (neither changes the range). */
    private static float scaleOf(String x, Map<String, NodeProto> producers, Map<String, Float> scales) {
        String t = x;
        while (!scales.containsKey(t)) {
            t = producers.get(t).getInput(0);
        }
        return scales.get(t);
    }

    private static int channelOf(int index, long[] dims, int axis) {
        long inner = 1;
        for (int d = axis + 1; d < dims.length; d++) {
            inner *= dims[d];
        }
        return (int) ((index / inner) % dims[axis]);
    }

    /** Each ReLU output's scale: its largest value over the calibration images, over 255. */
    private Map<String, Float> calibrate(float[] images, int count) throws OrtException {
        GraphProto.Builder probe = model.getGraph().toBuilder();
        List<String> relus = new ArrayList<>();
        for (NodeProto n : model.getGraph().getNodeList()) {
            if (n.getOpType().equals("Relu")) {
                relus.add(n.getOutput(0));
                probe.addOutput(ValueInfoProto.newBuilder().setName(n.getOutput(0)).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, Float> max = new HashMap<>();
        int pixels = 28 * 28;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model.toBuilder().setGraph(probe).build().toByteArray(), options)) {
            for (int from = 0; from < count; from += CALIBRATION_BATCH) {
                int n = Math.min(CALIBRATION_BATCH, count - from);
                FloatBuffer batch = FloatBuffer.wrap(images, from * pixels, n * pixels).slice();
                try (OnnxTensor in = OnnxTensor.createTensor(env, batch, new long[]{n, 1, 28, 28});
                     OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, in))) {
                    for (String relu : relus) {
                        FloatBuffer values = ((OnnxTensor) result.get(relu).orElseThrow()).getFloatBuffer();
                        float m = max.getOrDefault(relu, 0f);
                        while (values.hasRemaining()) {
                            m = Math.max(m, values.get());
                        }
                        max.put(relu, m);
                    }
                }
            }
        }
        Map<String, Float> scales = new HashMap<>();
        max.forEach((relu, m) -> scales.put(relu, Math.max(m, 1e-6f) / 255f));
        return scales;
    }

    private static float[] floats(TensorProto t) {
        FloatBuffer values = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[values.remaining()];
        values.get(v);
        return v;
    }

    private static TensorProto floats(String name, float[] values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(values.length);
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }
}
