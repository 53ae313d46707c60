package io.fashionstream.worker.produce;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Encodes grayscale pixel rows as PNG files, the way a catalog pipeline would send them. */
public final class PngImages {
    private PngImages() {
    }

    public static byte[] encodeGray(byte[] pixels, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, width, height, pixels);
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
