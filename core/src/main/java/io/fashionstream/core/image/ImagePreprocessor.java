package io.fashionstream.core.image;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns a record value into one network input: PNG, JPEG, GIF or BMP of any size and colour
 * (converted by {@link FashionMnistImage}), or exactly 784 raw bytes already in the
 * Fashion-MNIST convention, used as they are. Limits are checked before any decoding.
 * Stateless and thread-safe.
 */
public final class ImagePreprocessor {
    /**
     * Large photos are decoded with only every n-th pixel read, keeping at least this many on the
     * longer edge: 8 source pixels per output pixel still feed the 28x28 box filter, at a
     * fraction of the decode and conversion time of a full catalog photo.
     */
    static final int MIN_DECODED_EDGE = 8 * FashionMnistImage.SIZE;

    /** The reader of each format, looked up once rather than by probing every reader per record. */
    private static final Map<ImageFormat, ImageReaderSpi> READERS = readers();

    private final ImageLimits limits;

    public ImagePreprocessor(ImageLimits limits) {
        this.limits = limits;
    }

    /** Writes 784 floats in [0, 1] into {@code dst} starting at {@code offset}. */
    public void preprocess(byte[] value, float[] dst, int offset) throws InvalidImageException {
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
                return;
            }
            throw new InvalidImageException(InvalidImageException.Reason.UNKNOWN_FORMAT, String.format(
                    "not a PNG, JPEG, GIF or BMP image, nor %d raw pixels (%d bytes)", FashionMnistImage.PIXELS, value.length));
        }
        try {
            FashionMnistImage.convert(decode(value, format), dst, offset);
        } catch (InvalidImageException e) {
            if (!raw) {
                throw e;
            }
            // 784 raw pixels whose first bytes merely look like an image signature
            copyRaw(value, dst, offset);
        }
    }

    private static Map<ImageFormat, ImageReaderSpi> readers() {
        Map<ImageFormat, ImageReaderSpi> readers = new EnumMap<>(ImageFormat.class);
        for (ImageFormat format : ImageFormat.values()) {
            if (format == ImageFormat.UNKNOWN) {
                continue;
            }
            Iterator<ImageReader> found = ImageIO.getImageReadersByFormatName(format.name());
            if (!found.hasNext()) {
                throw new IllegalStateException("this JRE has no " + format + " reader");
            }
            readers.put(format, found.next().getOriginatingProvider());
        }
        return readers;
    }

    /** Read every n-th pixel in each direction: 1 up to twice {@link #MIN_DECODED_EDGE}. */
    static int subsampling(int width, int height) {
        return Math.max(1, Math.max(width, height) / MIN_DECODED_EDGE);
    }

    private static void copyRaw(byte[] value, float[] dst, int offset) {
        for (int i = 0; i < FashionMnistImage.PIXELS; i++) {
            dst[offset + i] = (value[i] & 0xff) / 255f;
        }
    }

    private BufferedImage decode(byte[] value, ImageFormat format) throws InvalidImageException {
        // In memory: ImageIO.createImageInputStream would look through every stream provider and,
        // with ImageIO's default cache setting, buffer each record through a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(value))) {
            ImageReader reader = READERS.get(format).createReaderInstance();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > limits.maxPixels()) {
                    throw new InvalidImageException(InvalidImageException.Reason.TOO_MANY_PIXELS, String.format(
                            "%s header declares %dx%d = %,d pixels, over the limit of %,d", format,
                            reader.getWidth(0), reader.getHeight(0), pixels, limits.maxPixels()));
                }
                ImageReadParam param = reader.getDefaultReadParam();
                int step = subsampling(reader.getWidth(0), reader.getHeight(0));
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                BufferedImage image = reader.read(0, param);
                if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
                    throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE, format + " image has no pixels");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // ImageIO signals truncated or corrupt data with IIOException, EOFException and, for
            // some malformed files, runtime exceptions from inside the codec.
            throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE,
                    format + " image cannot be decoded: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }
}
