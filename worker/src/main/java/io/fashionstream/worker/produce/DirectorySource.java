package io.fashionstream.worker.produce;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.fashionstream.core.FashionClass;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The image files under a directory (PNG, JPEG, WebP, TIFF, GIF, BMP, or {@code .raw} 784-byte
 * Fashion-MNIST pixels), in path order; keys are their paths relative to the directory. Labels
 * come from a CSV file ({@code file,label} rows, paths relative to the directory, an optional
 * header row) or else from sub-folder names ({@code coat/123.png}, {@code 4/123.png}); files
 * with neither are sent unlabelled. Files are read at send time, so large catalogs stream.
 */
public final class DirectorySource implements ImageSource {
    static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff", "raw");

    private final Path root;
    private final Path realRoot;
    private final int maxBytes;
    private final List<Path> files;
    private final List<FashionClass> labels;
    private final String labelOrigin;
    /** Folders holding images whose names map to no class (labels from folder names only). */
    private final Set<String> unmappedFolders;

    private DirectorySource(Path root, Path realRoot, int maxBytes, List<Path> files, List<FashionClass> labels,
                            String labelOrigin, Set<String> unmappedFolders) {
        this.root = root;
        this.realRoot = realRoot;
        this.maxBytes = maxBytes;
        this.files = files;
        this.labels = labels;
        this.labelOrigin = labelOrigin;
        this.unmappedFolders = unmappedFolders;
    }

    /**
     * Lists {@code root}; {@code labelsCsv} may be null. Throws {@link IllegalArgumentException}
     * for a missing or empty directory and for a CSV row naming an unknown class or file. A
     * symbolic link is followed only where it stays inside {@code root} (a link to
     * {@code /proc/self/environ} would otherwise publish the producer's environment), and a file
     * over {@code maxBytes} is refused when it is read.
     */
    public static DirectorySource open(Path root, Path labelsCsv, int maxBytes) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("--dir " + root + " is not a directory");
        }
        Path realRoot = root.toRealPath();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> insideAndRegular(p, realRoot)).filter(DirectorySource::isImageFile)
                    .map(root::relativize).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--dir " + root + " holds no image files (" + EXTENSIONS + ")");
        }
        Map<Path, FashionClass> fromCsv = labelsCsv == null ? Map.of() : readCsv(labelsCsv, root);
        List<FashionClass> labels = new ArrayList<>(files.size());
        Set<String> unmapped = new TreeSet<>();
        for (Path file : files) {
            FashionClass label = labelsCsv != null ? fromCsv.get(file.normalize()) : fromFolder(file);
            labels.add(label);
            if (labelsCsv == null && label == null && file.getParent() != null) {
                unmapped.add(file.getParent().toString().replace('\\', '/'));
            }
        }
        String origin = labelsCsv != null ? "labels from " + labelsCsv : "labels from sub-folder names";
        return new DirectorySource(root, realRoot, maxBytes, files, labels, origin, unmapped);
    }

    /** A regular file, itself or through links that resolve inside {@code realRoot}. */
    private static boolean insideAndRegular(Path p, Path realRoot) {
        try {
            return Files.isRegularFile(p) && p.toRealPath().startsWith(realRoot);
        } catch (IOException e) {
            return false; // a dangling link, or one we may not follow
        }
    }

    private static boolean isImageFile(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The class a file's parent folder names, or null (top-level files, folders that name no class). */
    private static FashionClass fromFolder(Path relative) {
        Path parent = relative.getParent();
        if (parent == null) {
            return null;
        }
        try {
            return FashionClass.parse(parent.getFileName().toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<Path, FashionClass> readCsv(Path csv, Path root) throws IOException {
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("--labels " + csv + " does not exist");
        }
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY).enable(CsvParser.Feature.TRIM_SPACES)
                .enable(CsvParser.Feature.SKIP_EMPTY_LINES);
        Map<Path, FashionClass> labels = new HashMap<>();
        try (MappingIterator<List<String>> rows = mapper.readerForListOf(String.class).readValues(csv.toFile())) {
            int rowNo = 0;
            while (rows.hasNext()) {
                List<String> row = rows.next();
                rowNo++;
                if (row.size() < 2) {
                    throw new IllegalArgumentException("--labels " + csv + " row " + rowNo + ": expected file,label");
                }
                FashionClass label;
                try {
                    label = FashionClass.parse(row.get(1));
                } catch (IllegalArgumentException e) {
                    if (rowNo == 1) {
                        continue; // a header row such as "file,label"
                    }
                    throw new IllegalArgumentException("--labels " + csv + " row " + rowNo + ": " + e.getMessage());
                }
                Path file = Path.of(row.get(0)).normalize();
                if (!Files.isRegularFile(root.resolve(file))) {
                    throw new IllegalArgumentException("--labels " + csv + " row " + rowNo + ": no file " + file
                            + " under " + root);
                }
                labels.put(file, label);
            }
        }
        return labels;
    }

    @Override
    public int size() {
        return files.size();
    }

    /** The file's bytes; an {@link IOException} for one over the size limit, read no further than the limit. */
    @Override
    public Item item(int index) throws IOException {
        Path file = files.get(index);
        Path real = root.resolve(file).toRealPath(); // again: the file may have been replaced by a link since the listing
        if (!real.startsWith(realRoot)) {
            throw new IOException(file + " now leads out of --dir " + root + ": not sent");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(real)) {
            bytes = in.readNBytes(maxBytes + 1);
        }
        if (bytes.length > maxBytes) {
            throw new IOException(file + " is larger than --max-image-bytes (" + maxBytes + " bytes): not sent");
        }
        return new Item(file.toString().replace('\\', '/'), bytes, labels.get(index));
    }

    /** How many files carry a label. */
    public long labelled() {
        return labels.stream().filter(l -> l != null).count();
    }

    /** Folders whose images went unlabelled because their names map to no class, sorted. */
    public Set<String> unmappedFolders() {
        return unmappedFolders;
    }

    @Override
    public String describe() {
        String unmapped = unmappedFolders.isEmpty() ? "" : "; no class for folder(s) " + String.join(", ", unmappedFolders)
                + ", sent unlabelled (a class is 0-9 or a name such as ankle-boot or t-shirt)";
        return files.size() + " image files under " + root + " (" + labelled() + " labelled, " + labelOrigin + unmapped + ")";
    }
}
