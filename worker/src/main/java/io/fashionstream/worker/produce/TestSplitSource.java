package io.fashionstream.worker.produce;

import io.fashionstream.core.data.LabelledImages;

/**
 * The shipped Fashion-MNIST test split with its labels, as PNG files (each encoded once, on
 * first use) or as raw 784-byte images. Keys are {@code fashion-mnist-test-<index>}.
 */
public final class TestSplitSource implements ImageSource {
    private final LabelledImages images;
    private final boolean raw;
    private final byte[][] pngs;

    /** The images as PNG files. */
    public TestSplitSource(LabelledImages images) {
        this(images, false);
    }

    /** The images as raw 784-byte values when {@code raw}, as PNG files otherwise. */
    public TestSplitSource(LabelledImages images, boolean raw) {
        this.images = images;
        this.raw = raw;
        this.pngs = new byte[images.size()][];
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public synchronized Item item(int index) {
        if (raw) {
            return new Item(String.format("fashion-mnist-test-%05d", index), images.image(index), images.label(index));
        }
        if (pngs[index] == null) {
            pngs[index] = PngImages.encodeGray(images.image(index), images.cols(), images.rows());
        }
        return new Item(String.format("fashion-mnist-test-%05d", index), pngs[index], images.label(index));
    }

    @Override
    public String describe() {
        return "the Fashion-MNIST test split (" + images.size() + (raw ? " raw" : " PNG") + " images with labels)";
    }
}
