package io.fashionstream.core.image;

import io.fashionstream.core.Printable;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns a record value into one network input: a JPEG, PNG, WebP, TIFF, GIF or BMP photo of any
 * size and colour (decoded by OpenCV's codecs, GIF by the JDK's, then converted by
 * {@link FashionMnistImage}), or exactly 784 raw bytes already in the Fashion-MNIST convention,
 * used as they are. Safety first: the size, the format and the dimensions the header declares
 * ({@link ImageHeader}, read by this project's own code before any decoder allocates) are all
 * checked before decoding, and a file cut short is refused rather than decoded with its missing
 * part filled in. Stateless and thread-safe.
 */
public final class ImagePreprocessor {
    /**
     * Large JPEG photos are decoded scaled down in the decoder itself (whose DCT-domain scaling is
     * a proper filter), keeping at least this many pixels on the longer edge: 6 source pixels per
     * output pixel still feed the 28x28 box filter.
     */
    static final int MIN_DECODED_EDGE = 6 * FashionMnistImage.SIZE;
    /**
     * What a decoded image is shrunk to (block means) before conversion, at least, on its longer
     * edge, and what a GIF keeps when read every n-th pixel: the conversion's cost follows the
     * pixel count, and 8 pixels per output pixel keep the trim and the box filter precise.
     */
    static final int MIN_CONVERTED_EDGE = 8 * FashionMnistImage.SIZE;

    /** The longest edge the codecs decode (libpng's default user limit; OpenCV's is 2^20). */
    static final int MAX_EDGE = 1_000_000;

    private final ImageLimits limits;
    private final OpenCvDecoder openCv = new OpenCvDecoder(MIN_DECODED_EDGE);
    private final ImageIoDecoder imageIo = new ImageIoDecoder(MIN_CONVERTED_EDGE);

    /** Time spent decoding and converting the images that made it through, on every thread using this preprocessor. */
    private final LongAdder decodeNanos = new LongAdder();
    private final LongAdder convertNanos = new LongAdder();
    private final LongAdder converted = new LongAdder();

    public ImagePreprocessor(ImageLimits limits) {
        this.limits = limits;
        OpenCvPixelLimit.apply(limits.maxPixels());
    }

    /**
     * Decodes a small PNG and JPEG once, so that the codecs' native libraries load and their
     * first-call costs are paid before any input is timed against a decode deadline.
     */
    public void warmUp() {
        BufferedImage image = new BufferedImage(FashionMnistImage.SIZE, FashionMnistImage.SIZE, BufferedImage.TYPE_BYTE_GRAY);
        float[] pixels = new float[FashionMnistImage.SIZE * FashionMnistImage.SIZE];
        for (String format : new String[]{"png", "jpeg"}) {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ImageIO.write(image, format, out);
                preprocess(out.toByteArray(), pixels, 0);
            } catch (IOException | InvalidImageException e) {
                throw new IllegalStateException("the image codecs do not work: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Writes 784 floats in [0, 1] into {@code dst} starting at {@code offset}; returns what the
     * photo's conversion measured ({@link PhotoMeasurements#NONE} for raw pixels).
     */
    public PhotoMeasurements preprocess(byte[] value, float[] dst, int offset) throws InvalidImageException {
        if (value == null || value.length == 0) {
            throw new InvalidImageException(InvalidImageException.Reason.EMPTY, "record value is empty");
        }
        if (value.length > limits.maxBytes()) {
            throw new InvalidImageException(InvalidImageException.Reason.TOO_LARGE,
                    "record value is " + value.length + " bytes, over the limit of " + limits.maxBytes());
        }
        boolean raw = value.length == FashionMnistImage.PIXELS;
        ImageFormat format = ImageFormat.sniff(value);
        if (format == ImageFormat.UNKNOWN) {
            if (raw) {
                copyRaw(value, dst, offset);
                return PhotoMeasurements.NONE;
            }
            throw new InvalidImageException(InvalidImageException.Reason.UNKNOWN_FORMAT, String.format(
                    "not a JPEG, PNG, WebP, TIFF, GIF or BMP image, nor %d raw pixels (%d bytes)",
                    FashionMnistImage.PIXELS, value.length));
        }
        try {
            long start = System.nanoTime();
            GrayImage image = decode(value, format);
            long decoded = System.nanoTime();
            PhotoMeasurements measured = FashionMnistImage.convert(image, dst, offset);
            decodeNanos.add(decoded - start);
            convertNanos.add(System.nanoTime() - decoded);
            converted.increment();
            return measured;
        } catch (InvalidImageException e) {
            if (!raw) {
                throw e;
            }
            // 784 raw pixels whose first bytes merely look like an image signature
            copyRaw(value, dst, offset);
            return PhotoMeasurements.NONE;
        }
    }

    /** Seconds spent so far decoding encoded images (not raw pixels) to gray, over every thread. */
    public double decodeSeconds() {
        return decodeNanos.sum() / 1e9;
    }

    /** Seconds spent so far converting decoded images to 28x28 (the photo conversion), over every thread. */
    public double convertSeconds() {
        return convertNanos.sum() / 1e9;
    }

    /** Encoded images decoded and converted so far. */
    public long imagesConverted() {
        return converted.sum();
    }

    private static void copyRaw(byte[] value, float[] dst, int offset) {
        for (int i = 0; i < FashionMnistImage.PIXELS; i++) {
            dst[offset + i] = (value[i] & 0xff) / 255f;
        }
    }

    /** Decodes to gray after checking the format and the header's dimensions. */
    GrayImage decode(byte[] value, ImageFormat format) throws InvalidImageException {
        if (!format.supported()) {
            throw new InvalidImageException(InvalidImageException.Reason.UNSUPPORTED_FORMAT, format
                    + " image: the worker has no " + format + " decoder; send JPEG, PNG, WebP, TIFF, GIF or BMP");
        }
        ImageHeader header = ImageHeader.read(value, format);
        if (header.pixels() > limits.maxPixels()) {
            throw new InvalidImageException(InvalidImageException.Reason.TOO_MANY_PIXELS, String.format(
                    "%s header declares %dx%d = %,d pixels, over the limit of %,d", format,
                    header.width(), header.height(), header.pixels(), limits.maxPixels()));
        }
        if (Math.max(header.width(), header.height()) > MAX_EDGE) {
            throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE, String.format(
                    "%s header declares %dx%d pixels: the decoders take at most %,d pixels per edge", format,
                    header.width(), header.height(), MAX_EDGE));
        }
        ImageHeader.requireWhole(value, format);
        GrayImage image;
        try {
            image = ImageIoDecoder.decodes(header, value) ? imageIo.decode(value, header) : openCv.decode(value, header);
        } catch (IOException | RuntimeException e) {
            // ImageIO signals corrupt data with IIOException, often wrapping the codec's own
            // exception: the root cause is what says what is wrong.
            throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE,
                    format + " image cannot be decoded: " + rootCause(e), e);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // A Java decoder (WebP, TIFF, GIF) recursing or allocating past the JVM's limits on a
            // crafted file: the record's fault, not the worker's. Left to propagate, it would end
            // the worker thread, and the restarted worker would meet the same record again.
            throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE,
                    format + " image cannot be decoded: the decoder ran out of " + (e instanceof StackOverflowError
                            ? "stack" : "memory"));
        }
        if (image == null) {
            throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE, format
                    + " image cannot be decoded: the codec rejected its data (corrupt or unsupported variant)");
        }
        return image.shrunk(MIN_CONVERTED_EDGE);
    }

    /** "Type: message" of the innermost cause, on one line. */
    static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + Printable.collapsed(root.getMessage());
        return root.getClass().getSimpleName() + message;
    }
}
