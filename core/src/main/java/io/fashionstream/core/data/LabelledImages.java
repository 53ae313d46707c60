package io.fashionstream.core.data;

import io.fashionstream.core.FashionClass;

import java.util.Arrays;

/**
 * Grayscale images with their class labels, held as one contiguous pixel array
 * (image {@code i} occupies {@code [i * pixelsPerImage, (i + 1) * pixelsPerImage)}).
 * Pixels follow the Fashion-MNIST convention: 0 is background, 255 is the article.
 */
public record LabelledImages(byte[] pixels, byte[] labels, int rows, int cols) {

    public LabelledImages {
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixel array does not hold " + labels.length + " images of " + rows + "x" + cols);
        }
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    public int pixelsPerImage() {
        return rows * cols;
    }

    /** A copy of image {@code i}'s pixels. */
    public byte[] image(int i) {
        int n = pixelsPerImage();
        return Arrays.copyOfRange(pixels, i * n, (i + 1) * n);
    }

    public FashionClass label(int i) {
        return FashionClass.of(labels[i]);
    }

    /** The images at the given indices, in that order. */
    public LabelledImages select(int[] indices) {
        int n = pixelsPerImage();
        byte[] p = new byte[indices.length * n];
        byte[] l = new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * n, p, k * n, n);
            l[k] = labels[indices[k]];
        }
        return new LabelledImages(p, l, rows, cols);
    }

    /** These images, then {@code more} (of the same size): image {@code size() + i} is {@code more}'s {@code i}. */
    public LabelledImages followedBy(LabelledImages more) {
        if (more.rows != rows || more.cols != cols) {
            throw new IllegalArgumentException("cannot join " + rows + "x" + cols + " and " + more.rows + "x" + more.cols + " images");
        }
        byte[] p = Arrays.copyOf(pixels, pixels.length + more.pixels.length);
        System.arraycopy(more.pixels, 0, p, pixels.length, more.pixels.length);
        byte[] l = Arrays.copyOf(labels, labels.length + more.labels.length);
        System.arraycopy(more.labels, 0, l, labels.length, more.labels.length);
        return new LabelledImages(p, l, rows, cols);
    }

    /** The first {@code count} images (all of them if there are fewer). */
    public LabelledImages head(int count) {
        int k = Math.min(count, size());
        int n = pixelsPerImage();
        return new LabelledImages(Arrays.copyOf(pixels, k * n), Arrays.copyOf(labels, k), rows, cols);
    }
}
