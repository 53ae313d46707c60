package io.fashionstream.core.photo;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CatalogPhotosTest {
    private static LabelledImages test;

    @BeforeAll
    static void load() throws Exception {
        test = FashionMnist.loadShippedTestSplit();
    }

    @Test
    void theSameSeedRendersTheSamePhotoAndAnotherSeedAnother() {
        for (PhotoVariation v : PhotoVariation.standard()) {
            byte[] a = CatalogPhotos.render(test.image(3), v, new Random(11));
            byte[] b = CatalogPhotos.render(test.image(3), v, new Random(11));
            byte[] c = CatalogPhotos.render(test.image(3), v, new Random(12));
            assertArrayEquals(a, b, v.name());
            boolean random = v.minScale() < v.maxScale() || v.minBackground() < v.maxBackground() || v.tinted();
            assertEquals(random, !java.util.Arrays.equals(a, c), v.name() + ": a different seed, a different photo");
        }
    }

    @Test
    void eachVariationIsWhatItSays() throws Exception {
        for (PhotoVariation v : PhotoVariation.standard()) {
            byte[] photo = CatalogPhotos.render(test.image(3), v, new Random(5));
            switch (v.format()) {
                case PNG -> assertEquals((byte) 0x89, photo[0], v.name());
                case JPEG, PROGRESSIVE_JPEG -> assertEquals((byte) 0xd8, photo[1], v.name());
                case WEBP -> assertEquals("WEBP", new String(photo, 8, 4, java.nio.charset.StandardCharsets.US_ASCII));
            }
            if (v.format() == PhotoVariation.Format.WEBP) {
                continue; // the JDK cannot read WebP; ImageFormatsTest decodes it
            }
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(photo));
            int longer = Math.max(image.getWidth(), image.getHeight());
            assertTrue(longer >= 28 * v.minScale() && longer <= 28 * v.maxScale() * (1 + 2 * v.maxMargin()) + 1,
                    v.name() + ": " + image.getWidth() + "x" + image.getHeight());
            int corner = image.getRGB(0, 0) & 0xff;
            assertTrue(corner >= v.minBackground() - 4 * v.noise() - v.gradient() - 12, v.name() + ": background " + corner);
        }
    }

    @Test
    void aSizedPhotoHasExactlyThatSize() throws Exception {
        byte[] jpeg = CatalogPhotos.sized(test.image(0), 600, 800, PhotoVariation.Format.PROGRESSIVE_JPEG, new Random(1));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertEquals(600, image.getWidth());
        assertEquals(800, image.getHeight());
    }
}
