package io.fashionstream.jmh;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * The photo path before OpenCV, kept here only as the benchmarks' baseline: ImageIO decoding at
 * full colour (every n-th pixel of a large photo), {@code getRGB}, and a conversion in doubles.
 */
final class LegacyImageIoPath {
    private static final int SIZE = 28;
    private static final int PIXELS = SIZE * SIZE;
    private static final double TRIM_THRESHOLD = 0.05 * 255;
    private static final int MIN_DECODED_EDGE = 8 * SIZE;

    private LegacyImageIoPath() {
    }

    /** Decodes and converts one photo, as the worker did. */
    static void preprocess(byte[] value, String format, float[] dst) throws IOException {
        convert(decode(value, format), dst, 0);
    }

    static int subsampling(int width, int height) {
        return Math.max(1, Math.max(width, height) / MIN_DECODED_EDGE);
    }

    static BufferedImage decode(byte[] value, String format) throws IOException {
        // In memory: ImageIO.createImageInputStream would look through every stream provider and,
        // with ImageIO's default cache setting, buffer each record through a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(value))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName(format).next();
            try {
                reader.setInput(in, true, true);
                ImageReadParam param = reader.getDefaultReadParam();
                int step = subsampling(reader.getWidth(0), reader.getHeight(0));
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                BufferedImage image = reader.read(0, param);
                return image;
            } finally {
                reader.dispose();
            }
        }
    }

    /** Writes the converted image as 784 floats in [0, 1] into {@code dst} at {@code offset}. */
    static void convert(BufferedImage image, float[] dst, int offset) {
        int w = image.getWidth();
        int h = image.getHeight();
        double[] gray = grayscale(image);
        double background = cornerMean(gray, w, h);
        boolean negate = background > 127.5;
        if (w == SIZE && h == SIZE) {
            for (int i = 0; i < PIXELS; i++) {
                dst[offset + i] = (float) ((negate ? 255 - gray[i] : gray[i]) / 255.0);
            }
            return;
        }

        // Trim: bounding box of everything that differs from the background by more than the threshold.
        int left = w;
        int right = -1;
        int top = h;
        int bottom = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (Math.abs(gray[y * w + x] - background) > TRIM_THRESHOLD) {
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                }
            }
        }
        java.util.Arrays.fill(dst, offset, offset + PIXELS, 0f);
        if (right < 0) {
            return; // a blank image: nothing but background
        }
        int bw = right - left + 1;
        int bh = bottom - top + 1;
        double scale = (double) SIZE / Math.max(bw, bh);
        int tw = Math.max(1, (int) Math.round(bw * scale));
        int th = Math.max(1, (int) Math.round(bh * scale));
        int ox = (SIZE - tw) / 2;
        int oy = (SIZE - th) / 2;
        for (int ty = 0; ty < th; ty++) {
            for (int tx = 0; tx < tw; tx++) {
                double v = areaAverage(gray, w, left + tx / scale, top + ty / scale, 1 / scale, left + bw, top + bh);
                double bright = negate ? 255 - v : v;
                dst[offset + (oy + ty) * SIZE + ox + tx] = (float) (Math.max(0, Math.min(255, bright)) / 255.0);
            }
        }
    }

    /** Luminance per pixel (ITU-R BT.601); transparent pixels are composited over white. */
    private static double[] grayscale(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (image.getRaster().getNumBands() == 1 && image.getColorModel().getNumComponents() == 1) {
            // Gray PNGs: take the stored values as they are (as PIL does). getRGB would treat
            // Java's gray colour space as linear and brighten every pixel on the way to sRGB.
            double max = (1 << image.getColorModel().getComponentSize(0)) - 1;
            double[] gray = new double[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    gray[y * w + x] = image.getRaster().getSample(x, y, 0) * 255.0 / max;
                }
            }
            return gray;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        double[] gray = new double[w * h];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            double a = ((p >>> 24) & 0xff) / 255.0;
            double lum = 0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);
            gray[i] = lum * a + 255 * (1 - a);
        }
        return gray;
    }

    private static double cornerMean(double[] gray, int w, int h) {
        return (gray[0] + gray[w - 1] + gray[(h - 1) * w] + gray[h * w - 1]) / 4;
    }

    /** Mean of the source pixels under a target pixel (box filter), clipped to the trimmed box. */
    private static double areaAverage(double[] gray, int w, double x0, double y0, double size, int xEnd, int yEnd) {
        int xa = (int) Math.floor(x0);
        int ya = (int) Math.floor(y0);
        int xb = Math.min(xEnd, Math.max(xa + 1, (int) Math.ceil(x0 + size)));
        int yb = Math.min(yEnd, Math.max(ya + 1, (int) Math.ceil(y0 + size)));
        double sum = 0;
        double weight = 0;
        for (int y = ya; y < yb; y++) {
            double wy = Math.min(y + 1, y0 + size) - Math.max(y, y0);
            for (int x = xa; x < xb; x++) {
                double wx = Math.min(x + 1, x0 + size) - Math.max(x, x0);
                double wgt = Math.max(0, wx) * Math.max(0, wy);
                sum += gray[y * w + x] * wgt;
                weight += wgt;
            }
        }
        return weight > 0 ? sum / weight : gray[ya * w + xa];
    }
}
