package io.fashionstream.core.model;

import io.fashionstream.core.Json;
import io.fashionstream.core.onnx.OnnxExport;
import io.fashionstream.core.onnx.OnnxExportException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes the model files in {@code models/}: {@code <name>.zip} (a DL4J
 * {@link MultiLayerNetwork}, without updater state), {@code <name>.onnx} (the same network
 * exported for any ONNX runtime, {@link OnnxExport}) and {@code <name>.json} (its {@link ModelCard}).
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** A network with its card (if one lies beside it) and version. */
    public record LoadedModel(String name, MultiLayerNetwork network, Optional<ModelCard> card, String version) {
    }

    /**
     * Writes the network, its ONNX export, then the card with both files' checksums filled in.
     * Returns the card written.
     */
    public static ModelCard save(MultiLayerNetwork network, ModelCard card, Path dir) throws IOException, OnnxExportException {
        Files.createDirectories(dir);
        Path zip = dir.resolve(card.name() + ".zip");
        Path tmp = dir.resolve(card.name() + ".zip.tmp");
        ModelSerializer.writeModel(network, tmp.toFile(), false);
        Files.move(tmp, zip, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ModelCard withSum = card.withModelSha256(sha256(zip));
        Path onnx = onnxPath(zip);
        OnnxExport.write(network, withSum.name(), withSum.version(), onnx);
        ModelCard complete = withSum.withOnnxSha256(sha256(onnx));
        Json.MAPPER.writeValue(cardPath(zip).toFile(), complete);
        return complete;
    }

    /**
     * Exports a saved model to ONNX beside it ({@code foo.zip} → {@code foo.onnx}) and records the
     * file's checksum in its card, if it has one. Returns the ONNX file.
     */
    public static Path exportOnnx(LoadedModel model, Path zip) throws IOException, OnnxExportException {
        Path onnx = onnxPath(zip);
        OnnxExport.write(model.network(), model.name(), model.version(), onnx);
        if (model.card().isPresent()) {
            Json.MAPPER.writeValue(cardPath(zip).toFile(), model.card().get().withOnnxSha256(sha256(onnx)));
        }
        return onnx;
    }

    /** The ONNX export beside a model file: {@code foo.zip} → {@code foo.onnx}. */
    public static Path onnxPath(Path zip) {
        return zip.resolveSibling(fileNameWithoutZip(zip) + ".onnx");
    }

    /**
     * Resolves what a user names as a model: a path to a {@code .zip} or {@code .onnx}, or a bare
     * name looked up as {@code <modelsDir>/<name>.zip} (or its {@code .onnx} alone). A name with
     * neither file is refused with the names {@code modelsDir} does hold.
     */
    public static Path resolve(String nameOrPath, Path modelsDir) throws ModelLoadException {
        Path asPath = Path.of(nameOrPath);
        if (nameOrPath.endsWith(".zip") || nameOrPath.endsWith(".onnx") || Files.exists(asPath)) {
            return asPath;
        }
        Path zip = modelsDir.resolve(nameOrPath + ".zip");
        if (!Files.isRegularFile(zip) && !Files.isRegularFile(onnxPath(zip))) {
            List<String> known = ModelsDirectory.available(modelsDir);
            throw new ModelLoadException("no model '" + nameOrPath + "' in " + modelsDir.toAbsolutePath().normalize()
                    + (known.isEmpty() ? " (it holds no .zip or .onnx models; set --models-dir or FASHION_MODELS_DIR)"
                    : "; available: " + String.join(", ", known)));
        }
        return zip;
    }

    /** Loads a network and, if present, its card. */
    public static LoadedModel load(Path zip) throws ModelLoadException {
        if (!Files.isRegularFile(zip)) {
            throw new ModelLoadException("model file " + zip + " does not exist");
        }
        MultiLayerNetwork network;
        try {
            network = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
        } catch (Exception | LinkageError e) {
            throw new ModelLoadException(zip + " is not a DL4J model (" + rootMessage(e) + ")", e);
        }
        if (network == null || network.params() == null) {
            throw new ModelLoadException(zip + " is not a DL4J model (no network configuration or parameters)");
        }
        Optional<ModelCard> card = readCard(zip);
        String name = fileNameWithoutZip(zip);
        String version;
        try {
            version = card.map(ModelCard::version).filter(v -> !"unknown".equals(v)).orElse(sha256(zip).substring(0, 12));
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + zip + ": " + e.getMessage(), e);
        }
        return new LoadedModel(name, network, card, version);
    }

    /** The card beside a model file: {@code foo.zip} (or {@code foo.onnx}) → {@code foo.json}. */
    public static Path cardPath(Path zip) {
        return zip.resolveSibling(fileNameWithoutZip(zip) + ".json");
    }

    /** The card beside a model file, if there is one. */
    public static Optional<ModelCard> readCard(Path modelFile) throws ModelLoadException {
        Path path = cardPath(modelFile);
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(path.toFile(), ModelCard.class));
        } catch (IOException e) {
            throw new ModelLoadException("model card " + path + " is not valid: " + e.getMessage(), e);
        }
    }

    /** A model file's name without its extension: {@code models/simple.zip} → {@code simple}. */
    public static String modelName(Path file) {
        return fileNameWithoutZip(file);
    }

    private static String fileNameWithoutZip(Path zip) {
        String file = zip.getFileName().toString();
        for (String extension : new String[] {".zip", ".onnx"}) {
            if (file.endsWith(extension)) {
                return file.substring(0, file.length() - extension.length());
            }
        }
        return file;
    }

    /** A file's SHA-256, lowercase hex. */
    public static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
