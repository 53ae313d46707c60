package io.fashionstream.core.model;

import io.fashionstream.core.Json;
import io.fashionstream.core.Sha256;
import io.fashionstream.core.onnx.OnnxExport;
import io.fashionstream.core.onnx.OnnxExportException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipFile;

/**
 * Reads and writes the model files in {@code models/}: {@code <name>.zip} (a DL4J
 * {@link MultiLayerNetwork}, without updater state), {@code <name>.onnx} (the same network
 * exported for any ONNX runtime, {@link OnnxExport}) and {@code <name>.json} (its {@link ModelCard}).
 */
public final class ModelFiles {
    /** The entries DL4J writes for this project's networks: configuration, parameters, a checkpoint's updater state. */
    private static final Set<String> KNOWN_ENTRIES = Set.of("configuration.json", "coefficients.bin", "updaterState.bin");

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

    /** The INT8 version beside a model file: {@code foo.zip} → {@code foo.int8.onnx}. */
    public static Path int8Path(Path zip) {
        return zip.resolveSibling(fileNameWithoutZip(zip) + ".int8.onnx");
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

    /**
     * Loads a network and, if present, its card. The zip's SHA-256 must match the card's, and the
     * zip must hold only what the project writes ({@link #requireOnlyKnownEntries}).
     */
    public static LoadedModel load(Path zip) throws ModelLoadException {
        if (!Files.isRegularFile(zip)) {
            throw new ModelLoadException("model file " + zip + " does not exist");
        }
        Optional<ModelCard> card = readCard(zip);
        requireChecksum(zip, card.map(ModelCard::modelSha256).orElse(null));
        MultiLayerNetwork network = restore(zip, false);
        if (network == null || network.params() == null) {
            throw new ModelLoadException(zip + " is not a DL4J model (no network configuration or parameters)");
        }
        String name = fileNameWithoutZip(zip);
        String version;
        try {
            version = card.map(ModelCard::version).filter(v -> !"unknown".equals(v)).orElse(sha256(zip).substring(0, 12));
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + zip + ": " + e.getMessage(), e);
        }
        return new LoadedModel(name, network, card, version);
    }

    /**
     * Restores a DL4J network from {@code zip} after {@link #requireOnlyKnownEntries}: DL4J reads a
     * {@code preprocessor.bin} or {@code normalizer.bin} entry with Java deserialization, which a
     * crafted file turns into code execution with the libraries on the class path.
     */
    public static MultiLayerNetwork restore(Path zip, boolean withUpdater) throws ModelLoadException {
        requireOnlyKnownEntries(zip);
        try {
            return ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), withUpdater);
        } catch (Exception | LinkageError e) {
            throw new ModelLoadException(zip + " is not a DL4J model (" + rootMessage(e) + ")", e);
        }
    }

    /**
     * Refuses a zip holding anything but what this project writes: the configuration (JSON), the
     * parameters and, in a checkpoint, the updater state (ND4J's binary arrays), never a serialized
     * Java object.
     */
    static void requireOnlyKnownEntries(Path zip) throws ModelLoadException {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            var entries = file.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!KNOWN_ENTRIES.contains(name)) {
                    throw new ModelLoadException(zip + " holds '" + name + "', which this project's model files never do"
                            + (name.endsWith(".bin") ? " (DL4J would read it with Java deserialization)" : "")
                            + "; refused");
                }
            }
        } catch (IOException e) {
            throw new ModelLoadException(zip + " is not a DL4J model (" + rootMessage(e) + ")", e);
        }
    }

    /** Refuses {@code file} when its SHA-256 is not {@code expected} (null: the card names none). */
    public static void requireChecksum(Path file, String expected) throws ModelLoadException {
        if (expected == null) {
            return;
        }
        String actual;
        try {
            actual = sha256(file);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!actual.equalsIgnoreCase(expected)) {
            throw new ModelLoadException(file + " does not match its model card: SHA-256 " + actual + ", the card says "
                    + expected + " (a corrupted or replaced file; re-export it or restore the card)");
        }
    }

    /** The card beside a model file: {@code foo.zip} (or {@code foo.onnx}) → {@code foo.json}. */
    public static Path cardPath(Path zip) {
        return zip.resolveSibling(fileNameWithoutZip(zip) + ".json");
    }

    /** Writes {@code card} beside the model file {@code zip}, replacing the card there. */
    public static void writeCard(ModelCard card, Path zip) throws IOException {
        Json.MAPPER.writeValue(cardPath(zip).toFile(), card);
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
        return Sha256.hex(Files.readAllBytes(file));
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
