package io.fashionstream.worker.produce;

import io.fashionstream.core.data.LabelledImages;

/**
 * The shipped Fashion-MNIST test split as PNG files with their labels; each PNG is encoded
 * once, on first use. Keys are {@code fashion-mnist-test-<index>}.
 */
public final class TestSplitSource implements ImageSource {
    private final LabelledImages images;
    private final byte[][] pngs;

    public TestSplitSource(LabelledImages images) {
        this.images = images;
        this.pngs = new byte[images.size()][];
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public synchronized Item item(int index) {
        if (pngs[index] == null) {
            pngs[index] = PngImages.encodeGray(images.image(index), images.cols(), images.rows());
        }
        return new Item(String.format("fashion-mnist-test-%05d", index), pngs[index], images.label(index));
    }

    @Override
    public String describe() {
        return "the Fashion-MNIST test split (" + images.size() + " PNG images with labels)";
    }
}
