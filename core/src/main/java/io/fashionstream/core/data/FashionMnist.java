package io.fashionstream.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds and loads the Fashion-MNIST splits.
 *
 * <p>Lookup order for either split: an explicit directory ({@code --data}), then
 * {@code $FASHION_MNIST_DIR}, then Debian's {@code dataset-fashion-mnist} package in
 * {@value #DEBIAN_DIR}. The test split also ships inside the project (and on the
 * classpath of every jar built from it), so evaluation and demos never need a download.
 */
public final class FashionMnist {
    public static final String ENV_DIR = "FASHION_MNIST_DIR";
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
    static final String SHIPPED_RESOURCE_DIR = "fashion-mnist/";

    /** The two splits of the data set and their file names. */
    public enum Split {
        TRAIN("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
        TEST("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000);

        final String images;
        final String labels;
        final int expectedSize;

        Split(String images, String labels, int expectedSize) {
            this.images = images;
            this.labels = labels;
            this.expectedSize = expectedSize;
        }
    }

    /** A split's two files, wherever they were found. */
    public record SplitFiles(IdxSource images, IdxSource labels) {
        public LabelledImages load() throws IOException {
            return IdxReader.read(images, labels);
        }

        /** SHA-256 of each file, keyed by file name. */
        public Map<String, String> checksums() throws IOException {
            Map<String, String> sums = new LinkedHashMap<>();
            sums.put(images.fileName(), images.sha256());
            sums.put(labels.fileName(), labels.sha256());
            return sums;
        }
    }

    private final Optional<Path> explicitDir;
    private final Optional<Path> envDir;
    private final Path debianDir;

    public FashionMnist(Optional<Path> explicitDir) {
        this(explicitDir, Optional.ofNullable(System.getenv(ENV_DIR)).filter(s -> !s.isBlank()).map(Path::of),
                Path.of(DEBIAN_DIR));
    }

    FashionMnist(Optional<Path> explicitDir, Optional<Path> envDir, Path debianDir) {
        this.explicitDir = explicitDir;
        this.envDir = envDir;
        this.debianDir = debianDir;
    }

    /** Locates a split's files, or explains exactly where it looked and how to get them. */
    public SplitFiles locate(Split split) throws DataNotFoundException {
        List<Path> candidates = new ArrayList<>();
        explicitDir.ifPresent(candidates::add);
        envDir.ifPresent(candidates::add);
        candidates.add(debianDir);
        for (Path dir : candidates) {
            Optional<SplitFiles> found = inDirectory(dir, split);
            if (found.isPresent()) {
                return found.get();
            }
            if (explicitDir.isPresent() && dir.equals(explicitDir.get())) {
                break; // an explicit --data directory is not silently replaced by another copy
            }
        }
        if (split == Split.TEST && explicitDir.isEmpty()) {
            return shippedTestSplit();
        }
        throw new DataNotFoundException(notFoundMessage(split, explicitDir.isPresent() ? List.of(explicitDir.get()) : candidates));
    }

    /** The test split shipped on the classpath. */
    public static SplitFiles shippedTestSplit() {
        return new SplitFiles(IdxSource.resource(SHIPPED_RESOURCE_DIR + Split.TEST.images + ".gz"),
                IdxSource.resource(SHIPPED_RESOURCE_DIR + Split.TEST.labels + ".gz"));
    }

    /** Loads the shipped test split (10,000 images). */
    public static LabelledImages loadShippedTestSplit() throws IOException {
        return shippedTestSplit().load();
    }

    private static Optional<SplitFiles> inDirectory(Path dir, Split split) {
        Optional<Path> images = firstExisting(dir, split.images);
        Optional<Path> labels = firstExisting(dir, split.labels);
        if (images.isPresent() && labels.isPresent()) {
            return Optional.of(new SplitFiles(IdxSource.of(images.get()), IdxSource.of(labels.get())));
        }
        return Optional.empty();
    }

    private static Optional<Path> firstExisting(Path dir, String baseName) {
        for (String name : List.of(baseName + ".gz", baseName)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String notFoundMessage(Split split, List<Path> looked) {
        return String.format("Fashion-MNIST %s split (%s.gz, %s.gz) not found in %s. "
                        + "Install it with 'sudo apt-get install dataset-fashion-mnist' (Debian/Ubuntu, into %s), "
                        + "or download the four files from https://github.com/zalandoresearch/fashion-mnist "
                        + "into a directory and pass --data DIR or set %s.",
                split.name().toLowerCase(), split.images, split.labels, looked, DEBIAN_DIR, ENV_DIR);
    }
}
