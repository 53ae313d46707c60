package io.fashionstream.tools.bench;

import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.photo.CatalogPhotos;
import io.fashionstream.core.photo.PhotoVariation;

import java.util.List;
import java.util.Random;

/**
 * The streams of the drift drill, each an endless source of record values drawn from the shipped
 * test split: traffic like the model's held-out images, and three ways it can stop being so.
 */
enum DrillTraffic {
    /** Test images in random order, every other one as a catalog photo of a standard variation. */
    NORMAL("normal: test images, half as catalog photos (standard variations)"),
    /** Bags only, raw: a feed that lost every other category. */
    ONE_CLASS("one class only: raw test images of bags"),
    /** Raw test images with their gray levels inverted: a resize step that flipped the convention. */
    INVERTED("inverted: raw test images, dark article on a light background"),
    /** Photos of another studio: another backdrop, no tint, small in a wide frame, noisier JPEG. */
    OTHER_STUDIO("another studio: neutral article on a mid-gray (140-170) backdrop with noise and a gradient,"
            + " 2-4x in a wide frame, JPEG q75");

    /** The other studio's look. */
    static final PhotoVariation STUDIO = new PhotoVariation("other-studio", OTHER_STUDIO.description, 2, 4, 0.8, 2.0,
            0.5, 140, 170, false, 30, 6, 0, PhotoVariation.Format.JPEG, 75, 1);
    private static final int BAG = 8;

    final String description;

    DrillTraffic(String description) {
        this.description = description;
    }

    /** The {@code n}-th value of this stream. */
    byte[] value(LabelledImages test, long n, Random random) {
        return switch (this) {
            case NORMAL -> {
                byte[] raw = test.image(random.nextInt(test.size()));
                List<PhotoVariation> standard = PhotoVariation.standard();
                yield n % 2 == 0 ? raw : CatalogPhotos.render(raw, standard.get(random.nextInt(standard.size())), random);
            }
            case ONE_CLASS -> {
                int i;
                do {
                    i = random.nextInt(test.size());
                } while (test.labels()[i] != BAG);
                yield test.image(i);
            }
            case INVERTED -> {
                byte[] raw = test.image(random.nextInt(test.size())).clone();
                for (int p = 0; p < raw.length; p++) {
                    raw[p] = (byte) (255 - (raw[p] & 0xff));
                }
                yield raw;
            }
            case OTHER_STUDIO -> CatalogPhotos.render(test.image(random.nextInt(test.size())), STUDIO, random);
        };
    }
}
