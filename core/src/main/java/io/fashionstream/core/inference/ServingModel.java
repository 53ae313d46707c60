package io.fashionstream.core.inference;

import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelFiles.LoadedModel;
import io.fashionstream.core.model.ModelLoadException;
import io.fashionstream.core.onnx.OnnxExport;
import io.fashionstream.core.onnx.OnnxExportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model opened for serving: what it is (name, version, card) and the engine that runs it,
 * from which each worker thread takes a {@link InferenceEngine#copy()}. Closing it closes that
 * engine; copies are their users' to close.
 *
 * @param version    the model version: the first 12 hex digits of the trained {@code .zip}'s SHA-256,
 *                   whichever engine runs it, so results name the same version either way
 * @param precision  {@code FP32} or {@code INT8}: what it runs in
 * @param onnxSha256 SHA-256 of the ONNX file served, or null (DL4J, or an export made in memory)
 */
public record ServingModel(String name, String version, Optional<ModelCard> card, InferenceEngine engine,
                           Precision precision, String onnxSha256) implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServingModel.class);

    /** A float32 model (benches wrap engines this way). */
    public ServingModel(String name, String version, Optional<ModelCard> card, InferenceEngine engine) {
        this(name, version, card, engine, Precision.FP32, null);
    }

    /** {@link #open(String, Path, EngineKind, int, Precision)} in float32. */
    public static ServingModel open(String nameOrPath, Path modelsDir, EngineKind kind, int intraOpThreads)
            throws ModelLoadException {
        return open(nameOrPath, modelsDir, kind, intraOpThreads, Precision.FP32);
    }

    /**
     * Opens {@code nameOrPath} (a name in {@code modelsDir}, a {@code .zip} or an {@code .onnx})
     * with {@code kind}. ONNX Runtime reads the {@code .onnx} beside the {@code .zip}, exporting
     * it in memory when there is none; DL4J reads the {@code .zip}.
     *
     * With {@code precision} {@code INT8} it serves the model's INT8 version (refused where there is
     * none); with {@code AUTO} the INT8 version where its card says it keeps accuracy (at most 0.3
     * points lost on raw images and on every photo variation) and runs faster, measured when it was
     * made, on a CPU with 8-bit dot-product instructions (VNNI), float32 elsewhere; the choice is logged.
     *
     * @param intraOpThreads ONNX Runtime threads per forward pass (0: one per core); DL4J ignores it
     */
    public static ServingModel open(String nameOrPath, Path modelsDir, EngineKind kind, int intraOpThreads,
                                    Precision precision) throws ModelLoadException {
        Path file = ModelFiles.resolve(nameOrPath, modelsDir);
        boolean onnxGiven = file.getFileName().toString().endsWith(".onnx");
        if (kind == EngineKind.DL4J && precision == Precision.INT8) {
            throw new ModelLoadException("the dl4j engine runs float32 only; INT8 models run on --engine onnxruntime");
        }
        if (kind == EngineKind.ONNXRUNTIME && precision != Precision.FP32 && !onnxGiven) {
            Optional<ServingModel> int8 = openInt8(file, precision, intraOpThreads);
            if (int8.isPresent()) {
                return int8.get();
            }
        }
        if (kind == EngineKind.DL4J) {
            if (onnxGiven) {
                throw new ModelLoadException("the dl4j engine runs the trained .zip, not " + file + " (or use --engine onnxruntime)");
            }
            LoadedModel model = ModelFiles.load(file);
            try {
                return new ServingModel(model.name(), model.version(), model.card(),
                        Dl4jEngine.forInference(model.network()));
            } finally {
                model.network().close(); // the engine runs its own copy
            }
        }
        Path onnx = onnxGiven ? file : ModelFiles.onnxPath(file);
        Optional<ModelCard> card = ModelFiles.readCard(file);
        try {
            if (Files.isRegularFile(onnx)) {
                ModelFiles.requireChecksum(onnx, card.map(ModelCard::onnxSha256).orElse(null));
                String version = card.map(ModelCard::version).filter(v -> !"unknown".equals(v))
                        .orElse(ModelFiles.sha256(onnxGiven ? onnx : file).substring(0, 12));
                byte[] bytes = Files.readAllBytes(onnx);
                return new ServingModel(ModelFiles.modelName(onnx), version, card,
                        OnnxEngine.open(bytes, intraOpThreads, cudaAvailable()), Precision.FP32,
                        io.fashionstream.core.Sha256.hex(bytes));
            }
            if (onnxGiven) {
                throw new ModelLoadException("model file " + onnx + " does not exist");
            }
            // A model trained before the export existed, or elsewhere: export it now, in memory.
            LoadedModel model = ModelFiles.load(file);
            try {
                log.info("{} has no ONNX export beside it; exporting it in memory (write one with the trainer's export command)",
                        file);
                byte[] bytes = OnnxExport.toBytes(model.network(), model.name(), model.version());
                return new ServingModel(model.name(), model.version(), model.card(),
                        OnnxEngine.open(bytes, intraOpThreads, cudaAvailable()));
            } finally {
                model.network().close();
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + onnx + ": " + e.getMessage(), e);
        } catch (OnnxExportException | InferenceException e) {
            throw new ModelLoadException("cannot serve " + file + " with ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /**
     * The INT8 version beside {@code file} as {@code precision} asks: always for {@code INT8} (refused
     * when there is none), for {@code AUTO} only where it pays; empty: serve float32.
     */
    private static Optional<ServingModel> openInt8(Path file, Precision precision, int intraOpThreads)
            throws ModelLoadException {
        Optional<ModelCard> card = ModelFiles.readCard(file);
        ModelCard.Int8 int8 = card.map(ModelCard::int8).orElse(null);
        Path path = ModelFiles.int8Path(file);
        boolean present = int8 != null && int8.sha256() != null && Files.isRegularFile(path);
        String name = ModelFiles.modelName(file);
        if (precision == Precision.INT8 && !present) {
            throw new ModelLoadException(name + " has no INT8 version (fashion-trainer quantize --model " + name
                    + " makes one where it pays)");
        }
        if (precision == Precision.AUTO) {
            String why = !present ? "it has no INT8 version" + (int8 != null ? " (slower than float32 where it was made)" : "")
                    : !int8.keepsAccuracy(card.get().testAccuracy()) ? "its INT8 version loses over 0.3 points somewhere"
                    : !CpuFeatures.hasInt8DotProduct() ? "this CPU has no 8-bit dot-product instructions (VNNI)" : null;
            if (why != null) {
                log.info("{}: float32 ({})", name, why);
                return Optional.empty();
            }
        }
        try {
            byte[] bytes = Files.readAllBytes(path);
            ModelFiles.requireChecksum(path, int8.sha256());
            log.info("{}: INT8 ({}; {} on the raw test split against {} in float32, {}x its speed at batch 64 where it"
                    + " was made)", name, precision == Precision.INT8 ? "asked for" : "auto", int8.testAccuracy(),
                    card.get().testAccuracy(), int8.speedupAtBatch64());
            return Optional.of(new ServingModel(name, card.get().version(), card, OnnxEngine.open(bytes, intraOpThreads),
                    Precision.INT8, int8.sha256()));
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (InferenceException e) {
            throw new ModelLoadException("cannot serve " + path + " with ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** Whether ONNX Runtime's CUDA execution provider is there (the GPU build and a GPU). */
    static boolean cudaAvailable() {
        return ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA);
    }

    @Override
    public void close() {
        engine.close();
    }
}
