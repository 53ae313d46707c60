package io.fashionstream.tools.bench;

import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.photo.CatalogPhotos;
import io.fashionstream.core.photo.PhotoVariation;
import io.fashionstream.worker.produce.ImageSource;

import java.util.Random;

/**
 * Test images as 600x800 baseline JPEG catalog photos ({@link CatalogPhotos#sized}), for timing
 * the pipeline on what shops send. Rendering costs milliseconds a photo, so only the first
 * {@code distinct} images are rendered (each once, seeded) and the rest of a long run repeats them.
 */
public final class CatalogPhotoSource implements ImageSource {
    public static final int WIDTH = 600;
    public static final int HEIGHT = 800;

    private final LabelledImages images;
    private final byte[][] photos;

    public CatalogPhotoSource(LabelledImages images, int distinct) {
        this.images = images;
        this.photos = new byte[Math.min(distinct, images.size())][];
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public synchronized Item item(int index) {
        int i = index % photos.length;
        if (photos[i] == null) {
            photos[i] = CatalogPhotos.sized(images.image(i), WIDTH, HEIGHT, PhotoVariation.Format.JPEG, new Random(i));
        }
        return new Item(String.format("catalog-photo-%05d-%05d", i, index), photos[i], images.label(i));
    }

    @Override
    public String describe() {
        return photos.length + " test images as " + WIDTH + "x" + HEIGHT + " JPEG catalog photos";
    }
}
