package io.fashionstream.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsTheShippedTestSplit() throws IOException {
        LabelledImages test = FashionMnist.loadShippedTestSplit();
        assertEquals(10_000, test.size());
        assertEquals(28, test.rows());
        assertEquals(28, test.cols());
        int[] perClass = new int[10];
        for (byte label : test.labels()) {
            perClass[label]++;
        }
        int[] thousandEach = new int[10];
        Arrays.fill(thousandEach, 1000);
        assertArrayEquals(thousandEach, perClass, "the test split has 1,000 images of each class");
        // Zalando's documented first test label is 9 (ankle boot), the second 2 (pullover).
        assertEquals(9, test.labels()[0]);
        assertEquals(2, test.labels()[1]);
    }

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        byte[] pixels = new byte[3 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 20);
        }
        byte[] labels = {1, 2, 9};
        LabelledImages plain = read(write("i", images(3, 2, 2, pixels), false), write("l", labels(labels), false));
        LabelledImages gz = read(write("i.gz", images(3, 2, 2, pixels), true), write("l.gz", labels(labels), true));
        assertArrayEquals(pixels, plain.pixels());
        assertArrayEquals(labels, plain.labels());
        assertArrayEquals(plain.pixels(), gz.pixels());
        assertArrayEquals(plain.labels(), gz.labels());
    }

    @Test
    void wrongMagicNumberIsNamed() throws IOException {
        Path labelsAsImages = write("swapped", labels(new byte[]{1}), false);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> read(labelsAsImages, write("l", labels(new byte[]{1}), false)));
        assertTrue(e.getMessage().contains("not an IDX image file"), e.getMessage());
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        byte[] header = Arrays.copyOf(images(1, 2, 2, new byte[4]), 10);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> read(write("i", header, true), write("l", labels(new byte[]{1}), false)));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void truncatedPayloadSaysHowMuchIsMissing() throws IOException {
        byte[] full = images(2, 2, 2, new byte[8]);
        byte[] cut = Arrays.copyOf(full, full.length - 3);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> read(write("i.gz", cut, true), write("l", labels(new byte[]{1, 2}), false)));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("only 5 follow"), e.getMessage());
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] full = images(1, 2, 2, new byte[4]);
        byte[] longer = Arrays.copyOf(full, full.length + 1);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> read(write("i", longer, false), write("l", labels(new byte[]{1}), false)));
        assertTrue(e.getMessage().contains("trailing bytes"), e.getMessage());
    }

    @Test
    void imagesAndLabelsOfDifferentLengthsAreRejected() throws IOException {
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> read(write("i", images(2, 2, 2, new byte[8]), false), write("l", labels(new byte[]{1, 2, 3}), false)));
        assertTrue(e.getMessage().contains("2 images but") && e.getMessage().contains("3 labels"), e.getMessage());
    }

    @Test
    void labelsOutsideTheTenClassesAreRejected() throws IOException {
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> read(write("i", images(1, 2, 2, new byte[4]), false), write("l", labels(new byte[]{12}), false)));
        assertTrue(e.getMessage().contains("outside 0-9"), e.getMessage());
    }

    @Test
    void corruptGzipIsReported() throws IOException {
        byte[] gz = gzip(images(2, 2, 2, new byte[8]));
        for (int i = 12; i < gz.length - 8; i++) {
            gz[i] ^= 0x5a;
        }
        Path file = dir.resolve("corrupt.gz");
        Files.write(file, gz);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> read(file, write("l", labels(new byte[]{1, 2}), false)));
        assertTrue(e.getMessage().contains("corrupt") || e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> read(dir.resolve("nope"), dir.resolve("nope2")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    private LabelledImages read(Path images, Path labels) throws IOException {
        return IdxReader.read(IdxSource.of(images), IdxSource.of(labels));
    }

    static byte[] images(int count, int rows, int cols, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);
        b.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols).put(pixels);
        return b.array();
    }

    static byte[] labels(byte[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(IdxReader.LABELS_MAGIC).putInt(labels.length).put(labels);
        return b.array();
    }

    private Path write(String name, byte[] bytes, boolean gzip) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, gzip ? gzip(bytes) : bytes);
        return file;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
