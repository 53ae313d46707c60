package io.fashionstream.core.image;

/**
 * A decoded image as 8-bit luminance (ITU-R BT.601), row after row, transparency already
 * composited over white and EXIF orientation already applied: what {@link FashionMnistImage}
 * converts.
 */
record GrayImage(byte[] pixels, int width, int height) {
    GrayImage {
        if (pixels.length != width * height) {
            throw new IllegalArgumentException(pixels.length + " pixels for " + width + "x" + height);
        }
    }

    int at(int x, int y) {
        return pixels[y * width + x] & 0xff;
    }

    /**
     * Shrinks by the largest whole factor that keeps at least {@code minEdge} pixels on the longer
     * edge, each new pixel the mean of the block under it (the box filter the conversion applies
     * anyway, done early and in integers; blocks at the right and bottom edges may be partial);
     * this image itself when no factor of 2 or more fits.
     */
    GrayImage shrunk(int minEdge) {
        int factor = Math.max(width, height) / minEdge;
        if (factor < 2) {
            return this;
        }
        int w = (width + factor - 1) / factor;
        int h = (height + factor - 1) / factor;
        long[] sums = new long[w * h];
        for (int y = 0; y < height; y++) {
            int row = (y / factor) * w;
            for (int x = 0, from = y * width; x < width; ) {
                int block = row + x / factor;
                int end = Math.min(width, x + factor);
                int sum = 0;
                for (; x < end; x++) {
                    sum += pixels[from++] & 0xff;
                }
                sums[block] += sum;
            }
        }
        byte[] out = new byte[w * h];
        for (int by = 0; by < h; by++) {
            int rows = Math.min(factor, height - by * factor);
            for (int bx = 0; bx < w; bx++) {
                int count = rows * Math.min(factor, width - bx * factor);
                out[by * w + bx] = (byte) ((sums[by * w + bx] + count / 2) / count);
            }
        }
        return new GrayImage(out, w, h);
    }
}
