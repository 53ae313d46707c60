package io.fashionstream.core.inference;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.ImageTensors;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.model.ModelFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Dl4jEngineTest {
    @Test
    void aBatchFromTheFrontOfALongerBufferScoresLikeTheSameImagesAsATensor() throws Exception {
        LabelledImages images = FashionMnist.loadShippedTestSplit();
        int count = 37;
        try (Dl4jEngine classifier = new Dl4jEngine(
                ModelFiles.load(Path.of("..", "models", "simple.zip")).network())) {
            List<Prediction> expected = classifier.batchPredict(
                    ImageTensors.features(images, ImageTensors.identityOrder(images.size()), 0, count, null));
            // A worker's buffer holds max-batch images; the tail beyond count is stale and must be ignored.
            float[] buffer = new float[64 * Dl4jEngine.PIXELS];
            Arrays.fill(buffer, 0.77f);
            float[] front = ImageTensors.features(images, ImageTensors.identityOrder(images.size()), 0, count, null)
                    .data().asFloat();
            System.arraycopy(front, 0, buffer, 0, front.length);

            List<Prediction> actual = classifier.batchPredict(buffer, count);

            assertEquals(count, actual.size());
            for (int i = 0; i < count; i++) {
                assertArrayEquals(expected.get(i).scores(), actual.get(i).scores(), 1e-6f, "image " + i);
            }
        }
    }

    @Test
    void anInferenceClassifierAndItsCopyScoreAsTheTrainedNetworkAtEveryBatchSize() throws Exception {
        LabelledImages images = FashionMnist.loadShippedTestSplit();
        int[] order = ImageTensors.identityOrder(images.size());
        try (Dl4jEngine plain = new Dl4jEngine(ModelFiles.load(Path.of("..", "models", "simple.zip")).network());
             Dl4jEngine fast = Dl4jEngine.forInference(plain.network());
             Dl4jEngine copy = fast.copy()) {
            assertTrue(fast.forwardPass().isPresent(), "simple runs as an NHWC pass");
            assertTrue(copy.forwardPass().isPresent());
            assertTrue(plain.forwardPass().isEmpty(), "a plain classifier runs through DL4J");
            // growing, shrinking and growing again past the buffers' size
            for (int count : new int[]{1, 32, 7, 100}) {
                List<Prediction> expected = plain.batchPredict(ImageTensors.features(images, order, 0, count, null));
                for (Dl4jEngine c : List.of(fast, copy)) {
                    List<Prediction> actual = c.batchPredict(ImageTensors.features(images, order, 0, count, null));
                    for (int i = 0; i < count; i++) {
                        assertArrayEquals(expected.get(i).scores(), actual.get(i).scores(), 1e-5f, "batch " + count + ", image " + i);
                    }
                }
            }
        }
    }
}
