package io.fashionstream.core.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.fashionstream.core.FashionClass;
import io.fashionstream.core.onnx.OnnxExport;

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
public final class OnnxClassifier implements InferenceEngine {
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

    private OnnxClassifier(OrtEnvironment env, Shared shared) {
        this.env = env;
        this.shared = shared;
    }

    /**
     * Opens {@code model} (ONNX bytes) with {@code intraOpThreads} threads per forward pass
     * (0: ONNX Runtime's default, one per core) and, when {@code cuda}, the CUDA execution provider.
     */
    public static OnnxClassifier open(byte[] model, int intraOpThreads, boolean cuda) throws InferenceException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            if (cuda) {
                options.addCUDA();
            }
            OrtSession session = env.createSession(model, options);
            return new OnnxClassifier(env, new Shared(session, new AtomicInteger(1)));
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime cannot open the model: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Prediction> batchPredict(float[] pixels, int count) throws InferenceException {
        if (count == 0) {
            return List.of();
        }
        if ((long) count * PIXELS > pixels.length) {
            throw new IllegalArgumentException(count + " images do not fit in " + pixels.length + " floats");
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

    /** Another classifier over the same session, with buffers of its own, for another thread. */
    @Override
    public OnnxClassifier copy() {
        shared.users().incrementAndGet();
        return new OnnxClassifier(env, shared);
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
