package io.fashionstream.trainer;

import io.fashionstream.core.model.Augmentation;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageAugmenterTest {
    @Test
    void aShiftMovesThePixelsAndFillsTheBorderWithBackground() {
        float[] pixels = new float[16];
        pixels[5] = 1f; // (x 1, y 1) of a 4x4 image
        ImageAugmenter.shift(pixels, 0, new float[16], 4, 4, 2, -1);
        float[] expected = new float[16];
        expected[3] = 1f; // (x 3, y 0)
        assertArrayEquals(expected, pixels);
    }

    @Test
    void everyImageMovesByAtMostTheMaximumAndNoShiftLeavesTheBatchAlone() {
        INDArray batch = Nd4j.zeros(DataType.FLOAT, 300, 1, 28, 28);
        for (int i = 0; i < 300; i++) {
            batch.putScalar(new long[]{i, 0, 14, 14}, 1f);
        }
        assertSame(batch, ImageAugmenter.apply(batch, Augmentation.NONE, new Random(1)));

        float[] shifted = ImageAugmenter.apply(batch, new Augmentation(false, 2), new Random(1)).data().asFloat();
        boolean[][] seen = new boolean[5][5];
        for (int i = 0; i < 300; i++) {
            int lit = -1;
            for (int p = 0; p < 784; p++) {
                if (shifted[i * 784 + p] == 1f) {
                    assertEquals(-1, lit, "one lit pixel per image");
                    lit = p;
                }
            }
            int dx = lit % 28 - 14;
            int dy = lit / 28 - 14;
            assertTrue(Math.abs(dx) <= 2 && Math.abs(dy) <= 2, "moved by " + dx + ", " + dy);
            seen[dy + 2][dx + 2] = true;
        }
        for (boolean[] row : seen) {
            for (boolean s : row) {
                assertTrue(s, "every shift from -2 to 2 occurs in 300 images");
            }
        }
    }
}
