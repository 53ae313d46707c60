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
 * @param version the model version: the first 12 hex digits of the trained {@code .zip}'s SHA-256,
 *                whichever engine runs it, so results name the same version either way
 */
public record ServingModel(String name, String version, Optional<ModelCard> card, InferenceEngine engine)
        implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServingModel.class);

    /**
     * Opens {@code nameOrPath} (a name in {@code modelsDir}, a {@code .zip} or an {@code .onnx})
     * with {@code kind}. ONNX Runtime reads the {@code .onnx} beside the {@code .zip}, exporting
     * it in memory when there is none; DL4J reads the {@code .zip}.
     *
     * @param intraOpThreads ONNX Runtime threads per forward pass (0: one per core); DL4J ignores it
     */
    public static ServingModel open(String nameOrPath, Path modelsDir, EngineKind kind, int intraOpThreads)
            throws ModelLoadException {
        Path file = ModelFiles.resolve(nameOrPath, modelsDir);
        boolean onnxGiven = file.getFileName().toString().endsWith(".onnx");
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
                return new ServingModel(ModelFiles.modelName(onnx), version, card,
                        OnnxEngine.open(Files.readAllBytes(onnx), intraOpThreads, cudaAvailable()));
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

    /** Whether ONNX Runtime's CUDA execution provider is there (the GPU build and a GPU). */
    static boolean cudaAvailable() {
        return ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA);
    }

    @Override
    public void close() {
        engine.close();
    }
}
