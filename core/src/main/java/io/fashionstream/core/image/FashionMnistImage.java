package io.fashionstream.core.image;

import java.util.Arrays;

/**
 * Turns a product photo into a Fashion-MNIST-style 28x28 image, following the steps Zalando
 * used to make the data set (Xiao et al., 2017): trim the edges close to the background, scale
 * the longest edge to 28 keeping the aspect ratio (a box filter: each output pixel the mean of
 * the pixels under it), sharpen with a Gaussian of radius and standard deviation 1.0, centre on a
 * 28x28 canvas, negate so the article is bright on black, and, as every image of the data set
 * is, stretch the intensities so that the brightest pixel is 255 (a tinted article on an
 * off-white background would otherwise peak far below what the networks were trained on).
 * <p>The background is estimated from the image's border as a plane, so that off-white and
 * gray backgrounds (from about 200 up), linear gradients and sensor or JPEG noise are all taken
 * out: each pixel's distance from the background there is what is kept, minus the border's
 * noise. On a light background a drop shadow that falls to one side of the article is kept out
 * of the article's box, so that it neither shrinks the article nor moves it off-centre.
 * Photos whose background is dark are not negated. An image that is already 28x28 has been
 * framed by whoever made it (Fashion-MNIST exported as PNG, for one): it keeps its geometry and
 * intensities and is only negated if light, so the data set's own images pass through unchanged.
 */
public final class FashionMnistImage {
    public static final int SIZE = 28;
    public static final int PIXELS = SIZE * SIZE;
    /** Zalando's trim threshold: within 5% of the intensity range counts as background. */
    private static final double TRIM_THRESHOLD = 0.05 * 255;
    /** A side of the border this far (gray levels) from the others is the article reaching the edge, not background. */
    private static final double SIDE_OUTLIER = 40;
    /** Border noise (standard deviations) taken off every pixel's distance from the background. */
    private static final double NOISE_FLOOR_SIGMAS = 3;
    /**
     * The most a drop shadow darkens a light background, as a part of its brightness: what is
     * darker is the article's core, whose margins tell a shadow from the article's faint edge
     * (0.10-0.17 tried on the photo evaluation).
     */
    private static final double SHADOW_DEPTH = 0.12;
    /**
     * Where the data set put the short edge, in pixels right of or below the exact centre: it
     * framed that edge in whole pixels and, when its two margins could not be equal, gave the odd
     * pixel to the left or top one: a quarter pixel on average. Of 1,000 validation images'
     * catalog photos, 71% matched their raw image best where they landed when framed at the
     * exact centre, 85% framed so.
     */
    private static final double DATASET_SHORT_EDGE_OFFSET = 0.25;
    /** How much of the detail a Gaussian blur removes is added back (measured best of 0.5 and 1 on the photo evaluation). */
    private static final double SHARPEN_AMOUNT = 0.5;
    /** A Gaussian of standard deviation 1.0 over radius 1, normalised: e^-1/2 beside 1. */
    private static final double GAUSS_SIDE = Math.exp(-0.5) / (1 + 2 * Math.exp(-0.5));
    private static final double GAUSS_CENTRE = 1 / (1 + 2 * Math.exp(-0.5));
    /** A peak this faint (of 255) after resampling is noise, not an article: nothing is stretched. */
    private static final double MIN_PEAK = 8;

    private FashionMnistImage() {
    }

    /**
     * Writes the converted image as 784 floats in [0, 1] into {@code dst} at {@code offset}, and
     * says what the conversion measured.
     */
    static PhotoMeasurements convert(GrayImage image, float[] dst, int offset) {
        int w = image.width();
        int h = image.height();
        if (w == SIZE && h == SIZE) {
            double corners = (image.at(0, 0) + image.at(w - 1, 0) + image.at(0, h - 1) + image.at(w - 1, h - 1)) / 4.0;
            boolean negate = corners > 127.5;
            for (int i = 0; i < PIXELS; i++) {
                int v = image.pixels()[i] & 0xff;
                dst[offset + i] = (negate ? 255 - v : v) / 255f;
            }
            return PhotoMeasurements.NONE;
        }
        Arrays.fill(dst, offset, offset + PIXELS, 0f);
        Background bg = Background.of(image);
        // What stands out from the background, on the article's side, less the border's noise
        // (which also takes the faint part of soft shadows out).
        float[] signal = new float[w * h];
        double floor = NOISE_FLOOR_SIGMAS * bg.noise();
        // Trim: bounding box of the pixels off the background by Zalando's threshold beyond its noise.
        double threshold = TRIM_THRESHOLD + floor;
        // Per row and column, the largest distance: the box's edges are where it crosses the
        // threshold, to a fraction of a pixel, so that a photo decoded at another scale frames alike.
        double[] rowMax = new double[h];
        double[] columnMax = new double[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = bg.distance(image.at(x, y), x, y);
                signal[y * w + x] = (float) Math.max(0, d - floor);
                rowMax[y] = Math.max(rowMax[y], d);
                columnMax[x] = Math.max(columnMax[x], d);
            }
        }
        Box box = Box.crossing(columnMax, rowMax, threshold);
        if (box == null) {
            return PhotoMeasurements.of(bg.level(), bg.noise(), 0, 1); // a blank image: nothing but background
        }
        if (bg.light()) {
            box = box.withoutDropShadow(columnMax, rowMax, threshold, SHADOW_DEPTH * bg.level());
        }
        double bw = box.right() - box.left();
        double bh = box.bottom() - box.top();
        double scale = (double) SIZE / Math.max(bw, bh);
        // Where the article's box lands on the canvas, to a fraction of a pixel, so that a
        // slightly different box (another decode scale) moves it slightly, not by a whole pixel.
        double ox = (SIZE - bw * scale) / 2 + (bw < bh ? DATASET_SHORT_EDGE_OFFSET : 0);
        double oy = (SIZE - bh * scale) / 2 + (bh < bw ? DATASET_SHORT_EDGE_OFFSET : 0);
        double[] canvas = new double[PIXELS];
        for (int cy = 0; cy < SIZE; cy++) {
            for (int cx = 0; cx < SIZE; cx++) {
                canvas[cy * SIZE + cx] = areaAverage(signal, w, box,
                        box.left() + (cx - ox) / scale, box.top() + (cy - oy) / scale, 1 / scale);
            }
        }
        double max = 0;
        for (double v : canvas) {
            max = Math.max(max, v);
        }
        // The data set's convention: every image's brightest pixel is 255. Stretched before
        // sharpening, whose overshoot at edges is clipped, so that it does not dim the rest.
        double gain = max >= MIN_PEAK ? 255 / max : 1;
        for (int i = 0; i < PIXELS; i++) {
            canvas[i] *= gain;
        }
        canvas = sharpen(canvas);
        for (int i = 0; i < PIXELS; i++) {
            dst[offset + i] = (float) (Math.min(255, canvas[i]) / 255.0);
        }
        return PhotoMeasurements.of(bg.level(), bg.noise(), bw * bh / ((double) w * h), gain);
    }

    /**
     * Zalando's sharpening step: an unsharp mask with a Gaussian of radius 1 and standard deviation
     * 1.0, which brings back the edges that scaling down softened.
     */
    private static double[] sharpen(double[] c) {
        double[] blurred = blur3(blur3(c, 1, SIZE), SIZE, 1);
        double[] out = new double[PIXELS];
        for (int i = 0; i < PIXELS; i++) {
            out[i] = Math.max(0, c[i] + SHARPEN_AMOUNT * (c[i] - blurred[i]));
        }
        return out;
    }

    /** One pass of the radius-1 Gaussian along x ({@code step} 1, {@code stride} SIZE) or y (SIZE, 1). */
    private static double[] blur3(double[] c, int step, int stride) {
        double[] out = new double[PIXELS];
        for (int line = 0; line < SIZE; line++) {
            for (int i = 0; i < SIZE; i++) {
                int at = line * stride + i * step;
                double v = GAUSS_CENTRE * c[at];
                if (i > 0) {
                    v += GAUSS_SIDE * c[at - step];
                }
                if (i < SIZE - 1) {
                    v += GAUSS_SIDE * c[at + step];
                }
                out[at] = v;
            }
        }
        return out;
    }

    /**
     * Where {@code profile} first reaches {@code threshold}, in pixel-edge coordinates: the
     * crossing between the centres of the last pixel below and the first above, interpolated,
     * lands on the boundary between them when halfway. NaN when it never does.
     */
    private static double leadingEdge(double[] profile, double threshold) {
        for (int i = 0; i < profile.length; i++) {
            if (profile[i] > threshold) {
                if (i == 0) {
                    return 0;
                }
                double t = (threshold - profile[i - 1]) / (profile[i] - profile[i - 1]);
                return i - 0.5 + t;
            }
        }
        return Double.NaN;
    }

    /** Where {@code profile} last stays above {@code threshold}, as {@link #leadingEdge} from the other end. */
    private static double trailingEdge(double[] profile, double threshold) {
        for (int i = profile.length - 1; i >= 0; i--) {
            if (profile[i] > threshold) {
                if (i == profile.length - 1) {
                    return profile.length;
                }
                double t = (profile[i] - threshold) / (profile[i] - profile[i + 1]);
                return i + 0.5 + t;
            }
        }
        return Double.NaN;
    }

    /**
     * Mean of the source pixels under a target pixel (box filter) at {@code x0, y0}, {@code size}
     * source pixels square; what lies outside the article's box counts as background, so that a
     * target pixel the box covers in part is that much fainter.
     */
    private static double areaAverage(float[] values, int w, Box box, double x0, double y0, double size) {
        double xa = Math.max(x0, box.left());
        double xb = Math.min(x0 + size, box.right());
        double ya = Math.max(y0, box.top());
        double yb = Math.min(y0 + size, box.bottom());
        if (xb <= xa || yb <= ya) {
            return 0;
        }
        double sum = 0;
        for (int y = (int) Math.floor(ya); y < Math.ceil(yb); y++) {
            double wy = Math.min(y + 1, yb) - Math.max(y, ya);
            for (int x = (int) Math.floor(xa); x < Math.ceil(xb); x++) {
                sum += values[y * w + x] * (Math.min(x + 1, xb) - Math.max(x, xa)) * wy;
            }
        }
        return sum / (size * size);
    }

    /**
     * The article's bounding box in pixel-edge coordinates: where the row and column maxima of its
     * distance from the background cross a threshold.
     */
    private record Box(double left, double top, double right, double bottom) {
        /** Null when nothing crosses {@code threshold}: a blank image. */
        static Box crossing(double[] columnMax, double[] rowMax, double threshold) {
            double left = leadingEdge(columnMax, threshold);
            double top = leadingEdge(rowMax, threshold);
            if (Double.isNaN(left) || Double.isNaN(top)) {
                return null;
            }
            return new Box(left, top, trailingEdge(columnMax, threshold), trailingEdge(rowMax, threshold));
        }

        /**
         * This box less a drop shadow. A shadow darkens a light background by less than
         * {@code depth} and falls to one side: around the box of what is darker than that (the
         * article's core), each axis keeps on both sides the smaller of its two margins, so that
         * the faint edge an article has all round stays in and a shadow on one side goes.
         */
        Box withoutDropShadow(double[] columnMax, double[] rowMax, double threshold, double depth) {
            Box core = depth > threshold ? crossing(columnMax, rowMax, depth) : null;
            if (core == null) {
                return this;
            }
            double marginX = Math.min(core.left - left, right - core.right);
            double marginY = Math.min(core.top - top, bottom - core.bottom);
            return new Box(core.left - marginX, core.top - marginY, core.right + marginX, core.bottom + marginY);
        }
    }

    /**
     * The background as seen on the image's border: a plane (level and slope across the image, so
     * that a linear gradient is followed exactly) and its noise. The plane starts from the median
     * of each side and is then fitted, twice, by least squares to the border pixels close to it,
     * so that an article or a drop shadow reaching into the border does not tilt it. Light means
     * the article is dark on it.
     */
    private record Background(double level, double slopeX, double slopeY, int w, int h, int band, double noise,
                              boolean light) {
        /** Border band per side: a sliver of the image, at least one pixel. */
        private static final int BAND_DIVISOR = 64;
        /** Border pixels further off the plane than this many noise deviations are article or shadow, not background... */
        private static final double INLIER_SIGMAS = 3;
        /** ...and than this many gray levels at least, whatever the noise (a noiseless background still has rounding). */
        private static final double MIN_INLIER_LEVELS = 4;
        /** Least-squares fits after the side medians' plane: the second settles what the first let in. */
        private static final int REFITS = 2;
        /** Fewer border pixels than this on the plane leave it as it was. */
        private static final int MIN_FIT_PIXELS = 16;

        static Background of(GrayImage image) {
            int w = image.width();
            int h = image.height();
            int band = Math.max(1, Math.min(w, h) / BAND_DIVISOR);
            int[][] sideHistograms = new int[4][256]; // top, bottom, left, right
            forEachBorderPixel(w, h, band, (x, y) -> {
                int side = y < band ? 0 : y >= h - band ? 1 : x < band ? 2 : 3;
                sideHistograms[side][image.at(x, y)]++;
            });
            double[] sides = Arrays.stream(sideHistograms).mapToDouble(Background::median).toArray();
            double[] sorted = Arrays.stream(sides).filter(v -> !Double.isNaN(v)).sorted().toArray();
            double typical = (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
            for (int i = 0; i < sides.length; i++) {
                if (Double.isNaN(sides[i]) || Math.abs(sides[i] - typical) > SIDE_OUTLIER) {
                    sides[i] = typical; // the article (or a border strip) covers that side
                }
            }
            double level = (sides[0] + sides[1] + sides[2] + sides[3]) / 4;
            Background plane = new Background(level, sides[3] - sides[2], sides[1] - sides[0], w, h, band, 0,
                    level > 127.5).withNoise(image);
            for (int i = 0; i < REFITS; i++) {
                plane = plane.refit(image).withNoise(image);
            }
            return plane;
        }

        /** Noise: the median absolute deviation of the border from this plane, as a standard deviation. */
        private Background withNoise(GrayImage image) {
            int[] deviations = new int[256];
            forEachBorderPixel(w, h, band,
                    (x, y) -> deviations[(int) Math.min(255, Math.abs(image.at(x, y) - at(x, y)))]++);
            return new Background(level, slopeX, slopeY, w, h, band, 1.4826 * median(deviations), light);
        }

        /** The least-squares plane through the border pixels close to this one (itself when too few are). */
        private Background refit(GrayImage image) {
            double cutoff = Math.max(INLIER_SIGMAS * noise, MIN_INLIER_LEVELS);
            double[][] normal = new double[3][3];
            double[] moments = new double[3];
            forEachBorderPixel(w, h, band, (x, y) -> {
                int z = image.at(x, y);
                if (Math.abs(z - at(x, y)) <= cutoff) {
                    double[] p = {1, u(x) - 0.5, v(y) - 0.5};
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < 3; j++) {
                            normal[i][j] += p[i] * p[j];
                        }
                        moments[i] += p[i] * z;
                    }
                }
            });
            double n = normal[0][0];
            double det = det(normal);
            if (n < MIN_FIT_PIXELS || Math.abs(det) < 1e-9 * n * n * n) {
                return this;
            }
            double[] plane = new double[3];
            for (int k = 0; k < 3; k++) { // Cramer's rule
                double[][] replaced = {normal[0].clone(), normal[1].clone(), normal[2].clone()};
                for (int i = 0; i < 3; i++) {
                    replaced[i][k] = moments[i];
                }
                plane[k] = det(replaced) / det;
            }
            return new Background(plane[0], plane[1], plane[2], w, h, band, noise, light);
        }

        private static double det(double[][] m) {
            return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                    - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                    + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        }

        /** Visits the pixels within {@code band} of the image's edge, row by row. */
        private static void forEachBorderPixel(int w, int h, int band, PixelVisitor visitor) {
            for (int y = 0; y < h; y++) {
                boolean fullRow = y < band || y >= h - band;
                for (int x = 0; x < w; x++) {
                    if (!fullRow && x == band && w - band > band) {
                        x = w - band; // skip the interior of the row
                    }
                    visitor.visit(x, y);
                }
            }
        }

        private interface PixelVisitor {
            void visit(int x, int y);
        }

        private double u(int x) {
            return w > 1 ? (double) x / (w - 1) : 0.5;
        }

        private double v(int y) {
            return h > 1 ? (double) y / (h - 1) : 0.5;
        }

        double at(int x, int y) {
            return level + slopeX * (u(x) - 0.5) + slopeY * (v(y) - 0.5);
        }

        /** How far a pixel stands out from the background, towards the article's side (dark on light, or light on dark). */
        double distance(int value, int x, int y) {
            double d = value - at(x, y);
            return light ? -d : d;
        }

        private static double median(int[] histogram) {
            long n = 0;
            for (int c : histogram) {
                n += c;
            }
            if (n == 0) {
                return Double.NaN;
            }
            long seen = 0;
            for (int v = 0; v < histogram.length; v++) {
                seen += histogram[v];
                if (seen * 2 >= n) {
                    return v;
                }
            }
            return histogram.length - 1;
        }
    }
}
