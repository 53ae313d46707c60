package io.fashionstream.core.model;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Where model names are looked up when no {@code --models-dir} (or {@code FASHION_MODELS_DIR})
 * is given: the {@code models/} folder of the installation the code runs from, so that a command
 * works from any current directory. The installation is found from a class's jar or classes
 * folder, walking up a few levels: {@code <repo>/worker/target/fashion-worker.jar} finds
 * {@code <repo>/models}, the container's {@code /app/lib/*.jar} finds {@code /app/models}.
 */
public final class ModelsDirectory {
    /** The folder name, and the fallback (relative to the current directory) where no installation has one. */
    public static final String NAME = "models";
    /** Levels above the code's own folder that are searched: enough for {@code <repo>/core/target/classes}. */
    private static final int LEVELS = 4;

    private ModelsDirectory() {
    }

    /** The {@code models/} folder of the installation {@code anchor} was loaded from, else {@code ./models}. */
    public static Path installed(Class<?> anchor) {
        Path code = codeLocation(anchor);
        for (Path dir = code == null ? null : code.getParent(); dir != null && LEVELS >= depthFrom(code, dir); dir = dir.getParent()) {
            Path candidate = dir.resolve(NAME);
            if (!available(candidate).isEmpty()) {
                return candidate;
            }
        }
        return Path.of(NAME);
    }

    /**
     * The model names in {@code dir}: every {@code <name>.zip} or {@code <name>.onnx} (not an INT8
     * version, {@code <name>.int8.onnx}), sorted; none if it is not a folder.
     */
    public static List<String> available(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).forEach(file -> {
                String lower = file.toLowerCase(Locale.ROOT);
                // a model's INT8 version is served through the model (--precision), not as a model of its own
                if (lower.endsWith(".zip") || (lower.endsWith(".onnx") && !lower.endsWith(".int8.onnx"))) {
                    names.add(ModelFiles.modelName(Path.of(file)));
                }
            });
        } catch (IOException e) {
            return List.of();
        }
        return List.copyOf(names);
    }

    private static Path codeLocation(Class<?> anchor) {
        try {
            var source = anchor.getProtectionDomain().getCodeSource();
            return source == null ? null : Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private static int depthFrom(Path code, Path dir) {
        return code.getNameCount() - dir.getNameCount();
    }
}
