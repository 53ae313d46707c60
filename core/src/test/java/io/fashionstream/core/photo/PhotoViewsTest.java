package io.fashionstream.core.photo;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhotoViewsTest {
    @Test
    void viewsAreReproducibleWhateverTheThreadsAndStayCloseToTheirImages() throws Exception {
        LabelledImages images = FashionMnist.loadShippedTestSplit().head(300); // more than one chunk of 256
        List<PhotoVariation> variations = List.of(PhotoVariation.CATALOG.withScales(2, 4),
                PhotoVariation.standard().get(1).withScales(2, 4));
        LabelledImages one = PhotoViews.of(images, variations, 9, 1);
        LabelledImages two = PhotoViews.of(images, variations, 9, 2);
        assertArrayEquals(one.pixels(), two.pixels());
        assertArrayEquals(images.labels(), one.labels());
        assertFalse(java.util.Arrays.equals(one.pixels(), PhotoViews.of(images, variations, 10, 2).pixels()),
                "another seed renders other photos");

        double residual = PhotoViews.meanAbsoluteDifference(images, one);
        double unrelated = PhotoViews.meanAbsoluteDifference(images.select(shifted(images.size())), one);
        assertTrue(residual > 0, "a photo round trip is not lossless");
        assertTrue(residual < unrelated / 2, "each view resembles its own image: " + residual + " vs " + unrelated);
    }

    private static int[] shifted(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (i + 1) % n;
        }
        return order;
    }
}
