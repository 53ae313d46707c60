package io.fashionstream.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files Fashion-MNIST (and MNIST) ship in, gzipped or plain.
 *
 * <p>Only the two layouts the data set uses are accepted: unsigned-byte images
 * ({@code idx3}, magic 2051) and unsigned-byte labels ({@code idx1}, magic 2049).
 * Everything is validated before it is trusted: magic number, dimensions, counts,
 * and that the payload is neither short nor followed by trailing bytes.
 */
public final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final int GZIP_MAGIC = 0x1f8b;

    private IdxReader() {
    }

    /** Reads an images file and its labels file and checks they describe the same samples. */
    public static LabelledImages read(IdxSource images, IdxSource labels) throws IOException {
        ImageFile imageFile = readImages(images);
        byte[] labelBytes = readLabels(labels);
        if (labelBytes.length != imageFile.count()) {
            throw new IdxFormatException(String.format(
                    "%s has %d images but %s has %d labels", images.fileName(), imageFile.count(),
                    labels.fileName(), labelBytes.length));
        }
        for (int i = 0; i < labelBytes.length; i++) {
            if (labelBytes[i] < 0 || labelBytes[i] > 9) {
                throw new IdxFormatException(String.format("%s: label %d at index %d is outside 0-9",
                        labels.fileName(), labelBytes[i] & 0xff, i));
            }
        }
        return new LabelledImages(imageFile.pixels(), labelBytes, imageFile.rows(), imageFile.cols());
    }

    /** Pixels of an idx3 file, row-major, one image after another. */
    record ImageFile(byte[] pixels, int count, int rows, int cols) {
    }

    static ImageFile readImages(IdxSource source) throws IOException {
        try (DataInputStream in = open(source)) {
            expectMagic(in, source, IMAGES_MAGIC, "image");
            int count = readHeaderInt(in, source, "image count");
            int rows = readHeaderInt(in, source, "row count");
            int cols = readHeaderInt(in, source, "column count");
            if (count < 0 || rows <= 0 || cols <= 0 || (long) rows * cols > 4096 * 4096) {
                throw new IdxFormatException(String.format("%s: implausible dimensions %d x %d x %d",
                        source.fileName(), count, rows, cols));
            }
            long size = (long) count * rows * cols;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IdxFormatException(source.fileName() + ": " + size + " bytes of pixels is too large");
            }
            byte[] pixels = readPayload(in, source, (int) size, count + " images of " + rows + "x" + cols);
            return new ImageFile(pixels, count, rows, cols);
        }
    }

    static byte[] readLabels(IdxSource source) throws IOException {
        try (DataInputStream in = open(source)) {
            expectMagic(in, source, LABELS_MAGIC, "label");
            int count = readHeaderInt(in, source, "label count");
            if (count < 0) {
                throw new IdxFormatException(source.fileName() + ": negative label count " + count);
            }
            return readPayload(in, source, count, count + " labels");
        }
    }

    private static DataInputStream open(IdxSource source) throws IOException {
        PushbackInputStream raw = new PushbackInputStream(new BufferedInputStream(source.opener().open()), 2);
        byte[] head = raw.readNBytes(2);
        raw.unread(head);
        InputStream in = raw;
        if (head.length == 2 && (((head[0] & 0xff) << 8) | (head[1] & 0xff)) == GZIP_MAGIC) {
            in = new GZIPInputStream(raw, 1 << 16);
        }
        return new DataInputStream(new BufferedInputStream(in, 1 << 16));
    }

    private static void expectMagic(DataInputStream in, IdxSource source, int expected, String kind) throws IOException {
        int magic = readHeaderInt(in, source, "magic number");
        if (magic != expected) {
            throw new IdxFormatException(String.format("%s is not an IDX %s file: magic number 0x%08x, expected 0x%08x",
                    source.fileName(), kind, magic, expected));
        }
    }

    private static int readHeaderInt(DataInputStream in, IdxSource source, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(source.fileName() + " is truncated: it ends inside the header (" + what + ")");
        } catch (java.util.zip.ZipException e) {
            throw new IdxFormatException(source.fileName() + " is a corrupt gzip file: " + e.getMessage());
        }
    }

    private static byte[] readPayload(DataInputStream in, IdxSource source, int size, String expected) throws IOException {
        byte[] data = new byte[size];
        int read;
        try {
            read = in.readNBytes(data, 0, size);
            if (read == size && in.read() != -1) {
                throw new IdxFormatException(source.fileName() + " has trailing bytes after " + expected);
            }
        } catch (EOFException | java.util.zip.ZipException e) {
            throw new IdxFormatException(source.fileName() + " is truncated or corrupt: " + e.getMessage());
        }
        if (read != size) {
            throw new IdxFormatException(String.format("%s is truncated: header promises %s (%d bytes) but only %d follow",
                    source.fileName(), expected, size, read));
        }
        return data;
    }
}
