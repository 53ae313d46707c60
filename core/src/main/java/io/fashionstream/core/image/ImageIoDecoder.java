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
import java.util.Iterator;
import java.util.Map;

/**
 * Decodes the formats whose native codecs the worker does not trust or does not have, in
 * memory-safe Java: GIF and TIFF with the JDK's readers, WebP (lossless, or with alpha or other
 * extended features) with TwelveMonkeys' reader. OpenCV 4.5.5's libwebp carries CVE-2023-4863 and
 * its libtiff CVE-2022-3970 and CVE-2023-52356, which an input record would otherwise reach
 * ({@link #decodes} says which records come here). A large image is read every n-th pixel.
 * Dimensions were checked from the header before.
 */
final class ImageIoDecoder {
    /** Looked up once rather than by probing every reader per record; a reader of our choosing, by its provider. */
    private static final Map<ImageFormat, ImageReaderSpi> READERS = Map.of(
            ImageFormat.GIF, reader("gif", "com.sun.imageio."),
            ImageFormat.TIFF, reader("tiff", "com.sun.imageio."),
            ImageFormat.WEBP, reader("webp", "com.twelvemonkeys."));

    /** How many times the converted edge a photo keeps when read subsampled. */
    private static final int PHOTO_OVERSAMPLING = 4;

    private final int minEdge;

    /** {@code minEdge}: the least a subsampled image keeps on its longer edge. */
    ImageIoDecoder(int minEdge) {
        this.minEdge = minEdge;
    }

    /**
     * Whether this decoder, not OpenCV, decodes {@code value}: GIF, TIFF, and every WebP but the
     * simple lossy kind (a lone VP8 chunk), whose decoding in libwebp never reaches the lossless
     * (VP8L) code of CVE-2023-4863 or the alpha-plane code of CVE-2023-1999, and which OpenCV
     * decodes ten times as fast (2-3 against 28 ms for a 600x800 photo).
     */
    static boolean decodes(ImageHeader header, byte[] value) {
        return READERS.containsKey(header.format())
                && !(header.format() == ImageFormat.WEBP && ImageHeader.isSimpleLossyWebp(value));
    }

    GrayImage decode(byte[] value, ImageHeader header) throws IOException, InvalidImageException {
        // In memory: ImageIO.createImageInputStream would look through every stream provider and,
        // with ImageIO's default cache setting, buffer each record through a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(value))) {
            ImageReader reader = READERS.get(header.format()).createReaderInstance();
            try {
                reader.setInput(in, true, true);
                ImageReadParam param = reader.getDefaultReadParam();
                int step = subsampling(header);
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                BufferedImage image = reader.read(0, param);
                header.requireDecodedSize(image.getWidth(), image.getHeight(), step);
                return gray(image);
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * Every how many pixels a large image is read. GIF (flat colours) is read down to the converted
     * edge; photos are read at four times it at least, so that the box filter after it averages
     * what point sampling would alias (200 lossy 600x800 WebP photos, read every third pixel,
     * converted 0.0152 on average from OpenCV's decode of them; read whole, 0.0117, the rest being
     * the two decoders' own difference).
     */
    private int subsampling(ImageHeader header) {
        int keep = header.format() == ImageFormat.GIF ? minEdge : PHOTO_OVERSAMPLING * minEdge;
        return Math.max(1, Math.max(header.width(), header.height()) / keep);
    }

    private static ImageReaderSpi reader(String format, String providerPackage) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        while (readers.hasNext()) {
            ImageReaderSpi spi = readers.next().getOriginatingProvider();
            if (spi.getClass().getName().startsWith(providerPackage)) {
                return spi;
            }
        }
        throw new IllegalStateException("no " + format + " reader from " + providerPackage + " on the class path");
    }

    /** BT.601 luminance, transparent pixels composited over white. */
    static GrayImage gray(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        byte[] gray = new byte[w * h];
        int[] pixel = new int[4];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            pixel[0] = p & 0xff;
            pixel[1] = (p >> 8) & 0xff;
            pixel[2] = (p >> 16) & 0xff;
            pixel[3] = (p >>> 24) & 0xff;
            gray[i] = (byte) OpenCvDecoder.luminance(pixel, 0, 4);
        }
        return new GrayImage(gray, w, h);
    }
}
