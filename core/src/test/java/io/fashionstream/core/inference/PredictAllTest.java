package io.fashionstream.core.inference;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Scoring a labelled set through an engine in batches no larger than asked: the release gate's memory bound. */
class PredictAllTest {
    private static final Path MODELS = Path.of("..", "models");

    /** Passes batches through to a real engine and records their sizes. */
    private record Recording(InferenceEngine engine, List<Integer> sizes) implements InferenceEngine {
        @Override
        public List<Prediction> batchPredict(float[] pixels, int count) throws InferenceException {
            sizes.add(count);
            return engine.batchPredict(pixels, count);
        }

        @Override
        public InferenceEngine copy() {
            return new Recording(engine.copy(), new ArrayList<>());
        }

        @Override
        public String name() {
            return engine.name();
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    @Test
    void scoresInBatchesOfAtMostTheSizeAskedWithTheSameAnswersAndAccuracy() throws Exception {
        LabelledImages images = FashionMnist.loadShippedTestSplit().head(1_000);
        try (ServingModel model = ServingModel.open("simple", MODELS, EngineKind.ONNXRUNTIME, 1)) {
            Recording small = new Recording(model.engine(), new ArrayList<>());
            List<Prediction> bySixtyFour = InferenceEngine.predictAll(small, images, 64);
            assertEquals(16, small.sizes().size(), "1,000 images 64 at a time: 15 full batches and one of 40");
            assertEquals(64, small.sizes().stream().mapToInt(Integer::intValue).max().orElseThrow());
            assertEquals(40, small.sizes().get(15));

            Recording large = new Recording(model.engine(), new ArrayList<>());
            List<Prediction> byDefault = InferenceEngine.predictAll(large, images);
            assertEquals(List.of(512, 488), large.sizes(), "the default batch");
            for (int i = 0; i < images.size(); i++) {
                assertEquals(byDefault.get(i).label(), bySixtyFour.get(i).label(), "image " + i);
                assertArrayEquals(byDefault.get(i).scores(), bySixtyFour.get(i).scores(), 1e-5f, "image " + i);
            }
            assertEquals(InferenceEngine.accuracy(model.engine(), images), InferenceEngine.accuracy(model.engine(), images, 64));
            assertThrows(IllegalArgumentException.class, () -> InferenceEngine.predictAll(model.engine(), images, 0));
        }
    }
}
