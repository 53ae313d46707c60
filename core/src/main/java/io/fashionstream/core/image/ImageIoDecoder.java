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

/**
 * Decodes GIF, the one accepted format OpenCV 4.5 has no codec for, with the JDK's reader,
 * reading every n-th pixel of a large image. Dimensions were checked from the header before.
 */
final class ImageIoDecoder {
    /** Looked up once rather than by probing every reader per record. */
    private static final ImageReaderSpi GIF_READER = ImageIO.getImageReadersByFormatName("gif").next()
            .getOriginatingProvider();

    private final int minEdge;

    /** {@code minEdge}: the least a subsampled image keeps on its longer edge. */
    ImageIoDecoder(int minEdge) {
        this.minEdge = minEdge;
    }

    GrayImage decodeGif(byte[] value, ImageHeader header) throws IOException {
        // In memory: ImageIO.createImageInputStream would look through every stream provider and,
        // with ImageIO's default cache setting, buffer each record through a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(value))) {
            ImageReader reader = GIF_READER.createReaderInstance();
            try {
                reader.setInput(in, true, true);
                ImageReadParam param = reader.getDefaultReadParam();
                int step = Math.max(1, Math.max(header.width(), header.height()) / minEdge);
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                return gray(reader.read(0, param));
            } finally {
                reader.dispose();
            }
        }
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
