package io.fashionstream.core.photo;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_WEBP_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

/**
 * Renders Fashion-MNIST images as catalog photos, reproducibly (everything random comes from the
 * seed): the article dark and colour-tinted on a light background, scaled up, placed on a larger
 * canvas and encoded the way shops serve photos. The 28x28 image is read as the article's
 * coverage (255: fully article), which is how a photo turned into the data set would give it
 * back. What varies is described by a {@link PhotoVariation}.
 */
public final class CatalogPhotos {
    private CatalogPhotos() {
    }

    /** One photo of {@code raw} (784 bytes, article bright on black) under {@code v}, encoded. */
    public static byte[] render(byte[] raw, PhotoVariation v, Random random) {
        int scale = v.minScale() + random.nextInt(v.maxScale() - v.minScale() + 1);
        int article = 28 * scale;
        int marginX = (int) (article * (v.minMargin() + random.nextDouble() * (v.maxMargin() - v.minMargin())));
        int marginY = (int) (article * (v.minMargin() + random.nextDouble() * (v.maxMargin() - v.minMargin())));
        // Off-centre: the article moves by up to offCentre of each margin.
        int x0 = marginX + (int) ((random.nextDouble() * 2 - 1) * v.offCentre() * marginX);
        int y0 = marginY + (int) ((random.nextDouble() * 2 - 1) * v.offCentre() * marginY);
        BufferedImage photo = draw(raw, v, random, scale, article + 2 * marginX, article + 2 * marginY, x0, y0);
        return encode(v.orientation() == 1 ? photo : storedFor(photo, v.orientation()), v);
    }

    /**
     * A {@link PhotoVariation#CATALOG}-look photo of exactly {@code width}x{@code height} pixels, the
     * article filling about 80% of the shorter edge, encoded as {@code format} at quality 90: for
     * timing decoders on the sizes shops serve.
     */
    public static byte[] sized(byte[] raw, int width, int height, PhotoVariation.Format format, Random random) {
        PhotoVariation v = PhotoVariation.CATALOG.encodedAs(format, 90);
        int scale = Math.max(1, (int) (0.8 * Math.min(width, height) / 28));
        int article = 28 * scale;
        return encode(draw(raw, v, random, scale, width, height, (width - article) / 2, (height - article) / 2), v);
    }

    private static BufferedImage draw(byte[] raw, PhotoVariation v, Random random, int scale, int width, int height,
                                      int x0, int y0) {
        int article = 28 * scale;
        float[] coverage = upscale(raw, article);
        float[] shadow = v.shadow() > 0 ? blur(coverage, article, Math.max(1, scale)) : null;
        int shadowOffset = scale * 2;
        double shade = v.minBackground() + random.nextDouble() * (v.maxBackground() - v.minBackground());
        double[] tint = v.tinted() ? randomArticleColour(random) : new double[]{40, 40, 40};
        double[] paper = v.tinted() ? new double[]{shade, shade - random.nextDouble() * 6, shade - random.nextDouble() * 10}
                : new double[]{shade, shade, shade};
        BufferedImage photo = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[width * height];
        for (int y = 0; y < height; y++) {
            double gradient = v.gradient() * y / Math.max(1, height - 1);
            for (int x = 0; x < width; x++) {
                int ax = x - x0;
                int ay = y - y0;
                double a = ax >= 0 && ay >= 0 && ax < article && ay < article ? coverage[ay * article + ax] : 0;
                double dark = 0;
                if (shadow != null) {
                    int sx = ax - shadowOffset;
                    int sy = ay - shadowOffset;
                    dark = sx >= 0 && sy >= 0 && sx < article && sy < article ? v.shadow() * shadow[sy * article + sx] : 0;
                }
                double noise = v.noise() > 0 ? random.nextGaussian() * v.noise() : 0;
                int packed = 0;
                for (int c = 0; c < 3; c++) {
                    double background = paper[c] - gradient - dark + noise;
                    double value = background * (1 - a) + tint[c] * a;
                    packed = (packed << 8) | (int) Math.max(0, Math.min(255, Math.round(value)));
                }
                rgb[y * width + x] = packed;
            }
        }
        photo.setRGB(0, 0, width, height, rgb, 0, width);
        return photo;
    }

    /** A dark article colour: a hue of its own, as dyed fabric. */
    private static double[] randomArticleColour(Random random) {
        double[] c = new double[3];
        for (int i = 0; i < 3; i++) {
            c[i] = 20 + random.nextDouble() * 150;
        }
        return c;
    }

    /** The 28x28 coverage scaled up to {@code size} square, bicubic, as a product shot is sharper than its thumbnail. */
    private static float[] upscale(byte[] raw, int size) {
        BufferedImage small = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        small.getRaster().setDataElements(0, 0, 28, 28, raw);
        BufferedImage big = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = big.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(small, 0, 0, size, size, null);
        g.dispose();
        byte[] pixels = (byte[]) big.getRaster().getDataElements(0, 0, size, size, null);
        float[] coverage = new float[size * size];
        for (int i = 0; i < coverage.length; i++) {
            coverage[i] = (pixels[i] & 0xff) / 255f;
        }
        return coverage;
    }

    /** A box blur of {@code radius}, twice: a soft shadow's falloff. */
    private static float[] blur(float[] values, int size, int radius) {
        float[] a = values.clone();
        float[] b = new float[a.length];
        for (int pass = 0; pass < 2; pass++) {
            boxBlur(a, b, size, radius, true);
            boxBlur(b, a, size, radius, false);
        }
        return a;
    }

    private static void boxBlur(float[] in, float[] out, int size, int radius, boolean horizontal) {
        for (int line = 0; line < size; line++) {
            double sum = 0;
            int n = 0;
            for (int i = -radius; i < size + radius; i++) {
                int enter = i + radius;
                if (enter < size) {
                    sum += horizontal ? in[line * size + enter] : in[enter * size + line];
                    n++;
                }
                int leave = i - radius - 1;
                if (leave >= 0) {
                    sum -= horizontal ? in[line * size + leave] : in[leave * size + line];
                    n--;
                }
                if (i >= 0 && i < size) {
                    out[horizontal ? line * size + i : i * size + line] = (float) (sum / Math.max(1, n));
                }
            }
        }
    }

    /** The pixels as a camera stores them when it tags the file with EXIF {@code orientation} 6 or 8. */
    private static BufferedImage storedFor(BufferedImage upright, int orientation) {
        int w = upright.getWidth();
        int h = upright.getHeight();
        BufferedImage stored = new BufferedImage(h, w, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // 6: the viewer turns the stored image 90° clockwise, so it is stored turned counter-clockwise.
                if (orientation == 6) {
                    stored.setRGB(y, w - 1 - x, upright.getRGB(x, y));
                } else {
                    stored.setRGB(h - 1 - y, x, upright.getRGB(x, y));
                }
            }
        }
        return stored;
    }

    private static byte[] encode(BufferedImage photo, PhotoVariation v) {
        try {
            return switch (v.format()) {
                case PNG -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    ImageIO.write(photo, "png", out);
                    yield out.toByteArray();
                }
                case JPEG, PROGRESSIVE_JPEG -> {
                    byte[] jpeg = jpeg(photo, v.quality(), v.format() == PhotoVariation.Format.PROGRESSIVE_JPEG);
                    yield v.orientation() == 1 ? jpeg : Exif.withOrientation(jpeg, v.orientation());
                }
                case WEBP -> webp(photo, v.quality());
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Baseline or progressive JPEG at {@code quality} (1-100), 4:2:0 as cameras and shops write it. */
    public static byte[] jpeg(BufferedImage photo, int quality, boolean progressive) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            writer.write(null, new IIOImage(photo, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** Lossy WebP at {@code quality} (1-100), or lossless above 100, through OpenCV's libwebp. */
    public static byte[] webp(BufferedImage photo, int quality) {
        int w = photo.getWidth();
        int h = photo.getHeight();
        byte[] bgr = new byte[w * h * 3];
        int[] rgb = photo.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < rgb.length; i++) {
            bgr[3 * i] = (byte) rgb[i];
            bgr[3 * i + 1] = (byte) (rgb[i] >> 8);
            bgr[3 * i + 2] = (byte) (rgb[i] >> 16);
        }
        try (BytePointer pixels = new BytePointer(bgr);
             Mat image = new Mat(h, w, CV_8UC3, pixels);
             BytePointer encoded = new BytePointer();
             IntPointer params = new IntPointer(IMWRITE_WEBP_QUALITY, quality)) {
            if (!imencode(".webp", image, encoded, params)) {
                throw new IllegalStateException("OpenCV could not encode WebP");
            }
            byte[] out = new byte[(int) encoded.limit()];
            encoded.get(out);
            return out;
        }
    }
}
