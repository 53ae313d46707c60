package io.fashionstream.core.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.fashionstream.core.FashionClass;
import io.fashionstream.core.onnx.OnnxExport;
import io.fashionstream.core.onnx.OnnxQuantizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an exported model ({@link OnnxExport}) on ONNX Runtime's CPU execution provider (or CUDA,
 * where the GPU build is on the class path and asked for). Images go from the caller's buffer
 * into a direct buffer allocated once and grown only for a larger batch, and the class
 * probabilities come back through another, pinned as the session's output: no per-batch
 * allocation beyond the tensors' small handles. Instances made by {@link #copy()} share one
 * session (ONNX Runtime sessions are thread-safe) with buffers of their own; the session is
 * released when the last of them is closed.
 */
public final class OnnxEngine implements InferenceEngine {
    private static final Logger log = LoggerFactory.getLogger(OnnxEngine.class);
    private static final int CLASSES = FashionClass.COUNT;
    private static final long[] IMAGE_SHAPE = {1, 28, 28};

    private final OrtEnvironment env;
    private final Shared shared;
    private FloatBuffer input;
    private FloatBuffer output;
    private boolean closed;

    /** A session and how many classifiers still use it. */
    private record Shared(OrtSession session, AtomicInteger users) {
    }

    private OnnxEngine(OrtEnvironment env, Shared shared) {
        this.env = env;
        this.shared = shared;
    }

    /**
     * Opens {@code model} (ONNX bytes) with {@code intraOpThreads} threads per forward pass
     * (0: ONNX Runtime's default, one per core), on the CPU.
     */
    public static OnnxEngine open(byte[] model, int intraOpThreads) throws InferenceException {
        return open(model, intraOpThreads, false);
    }

    /**
     * As {@link #open(byte[], int)}, on the GPU through ONNX Runtime's CUDA execution provider when
     * {@code tryCuda} and it starts (the GPU build, a GPU, CUDA and cuDNN), on the CPU otherwise.
     */
    public static OnnxEngine open(byte[] model, int intraOpThreads, boolean tryCuda) throws InferenceException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        if (tryCuda) {
            try {
                return new OnnxEngine(env, new Shared(session(env, model, intraOpThreads, true), new AtomicInteger(1)));
            } catch (OrtException e) {
                log.warn("ONNX Runtime's CUDA execution provider did not start ({}); running on the CPU", e.getMessage());
            }
        }
        try {
            return new OnnxEngine(env, new Shared(session(env, model, intraOpThreads, false), new AtomicInteger(1)));
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime cannot open the model: " + e.getMessage(), e);
        }
    }

    private static OrtSession session(OrtEnvironment env, byte[] model, int intraOpThreads, boolean cuda)
            throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            // Idle pool threads sleep instead of spinning: in a worker they would burn the cores that
            // the Kafka clients, the decoding and often the broker need.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            if (cuda) {
                options.addCUDA();
            }
            return env.createSession(model, options);
        }
    }

    @Override
    public List<Prediction> batchPredict(float[] pixels, int count) throws InferenceException {
        InferenceEngine.checkFits(pixels, count);
        if (count == 0) {
            return List.of();
        }
        ensureCapacity(count);
        input.clear().put(pixels, 0, count * PIXELS).flip();
        output.clear().limit(count * CLASSES);
        try (OnnxTensor in = OnnxTensor.createTensor(env, input, shape(count, IMAGE_SHAPE));
             OnnxTensor out = OnnxTensor.createTensor(env, output, new long[]{count, CLASSES});
             OrtSession.Result ignored = shared.session().run(Map.of(OnnxExport.INPUT, in),
                     Map.<String, OnnxValue>of(OnnxExport.OUTPUT, out))) {
            return predictions(count);
        } catch (OrtException | RuntimeException e) {
            throw new InferenceException("forward pass over " + count + " images failed: " + e.getMessage(), e);
        }
    }

    private List<Prediction> predictions(int count) {
        List<Prediction> predictions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] scores = new float[CLASSES];
            output.get(i * CLASSES, scores);
            predictions.add(Prediction.fromScores(scores));
        }
        return predictions;
    }

    /** Grows the direct buffers to {@code count} images; the first call allocates them. */
    private void ensureCapacity(int count) {
        if (input == null || input.capacity() < count * PIXELS) {
            input = directFloats(count * PIXELS);
            output = directFloats(count * CLASSES);
        }
    }

    private static FloatBuffer directFloats(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static long[] shape(int batch, long[] rest) {
        long[] shape = new long[rest.length + 1];
        shape[0] = batch;
        System.arraycopy(rest, 0, shape, 1, rest.length);
        return shape;
    }

    /**
     * What the model takes and gives: its first input's and first output's shapes (-1 for a
     * dynamic dimension) and the class names its metadata lists (empty when it lists none).
     */
    public ModelSignature signature() throws InferenceException {
        try {
            OrtSession session = shared.session();
            long[] in = shapeOf(session.getInputInfo().values().iterator().next());
            long[] out = shapeOf(session.getOutputInfo().values().iterator().next());
            String names = session.getMetadata().getCustomMetadataValue(OnnxExport.CLASS_NAMES_KEY).orElse("");
            String precision = session.getMetadata().getCustomMetadataValue(OnnxQuantizer.PRECISION_KEY).orElse("fp32");
            return new ModelSignature(in, out, names.isEmpty() ? List.of()
                    : List.of(io.fashionstream.core.Json.MAPPER.readValue(names, String[].class)),
                    "int8".equals(precision) ? Precision.INT8 : Precision.FP32);
        } catch (OrtException | java.io.IOException | RuntimeException e) {
            throw new InferenceException("cannot read the model's inputs and outputs: " + e.getMessage(), e);
        }
    }

    private static long[] shapeOf(ai.onnxruntime.NodeInfo node) {
        return node.getInfo() instanceof ai.onnxruntime.TensorInfo tensor ? tensor.getShape() : new long[0];
    }

    /** Another classifier over the same session, with buffers of its own, for another thread. */
    @Override
    public OnnxEngine copy() {
        shared.users().incrementAndGet();
        return new OnnxEngine(env, shared);
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (shared.users().decrementAndGet() == 0) {
            try {
                shared.session().close();
            } catch (OrtException e) {
                throw new IllegalStateException("cannot release the ONNX Runtime session: " + e.getMessage(), e);
            }
        }
    }
}
