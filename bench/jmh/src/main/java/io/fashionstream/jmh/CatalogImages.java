package io.fashionstream.jmh;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** The inputs the benchmarks decode: Fashion-MNIST PNGs, and a catalog-sized colour photo. */
final class CatalogImages {
    private CatalogImages() {
    }

    /** The first {@code n} test images as 28x28 grayscale PNG files. */
    static byte[][] fashionMnistPngs(int n) throws IOException {
        LabelledImages images = FashionMnist.loadShippedTestSplit();
        byte[][] pngs = new byte[n][];
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setDataElements(0, 0, 28, 28, images.image(i));
            pngs[i] = encode(image, "png");
        }
        return pngs;
    }

    /** A 600x800 colour product shot on a light background, as a catalog pipeline sends them. */
    static byte[] productPhoto(String format) throws IOException {
        BufferedImage image = new BufferedImage(600, 800, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(245, 245, 245));
        g.fillRect(0, 0, 600, 800);
        g.setPaint(new GradientPaint(150, 100, new Color(40, 60, 120), 450, 700, new Color(120, 30, 40)));
        g.fillRoundRect(150, 100, 300, 600, 80, 80);
        g.dispose();
        return encode(image, format);
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }
}
