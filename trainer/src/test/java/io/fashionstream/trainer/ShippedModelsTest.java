package io.fashionstream.trainer;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.model.ModelFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every committed model still scores what its card claims, and at least its target: the
 * notebook's 88.5% for {@code simple}, the models issue's 90.5% and 94% for the other two.
 */
class ShippedModelsTest {
    private static LabelledImages test;

    @BeforeAll
    static void load() throws Exception {
        test = FashionMnist.loadShippedTestSplit();
    }

    @ParameterizedTest
    @CsvSource({"simple, 0.885", "complex1, 0.905", "complex2, 0.94"})
    void modelScoresItsCardAccuracyOnTheShippedTestSplit(String name, double floor) throws Exception {
        ModelFiles.LoadedModel model = ModelFiles.load(Path.of("..", "models", name + ".zip"));
        double card = model.card().orElseThrow(() -> new AssertionError(name + " has no model card")).testAccuracy();
        double measured;
        try (Dl4jEngine classifier = new Dl4jEngine(model.network())) {
            measured = classifier.evaluate(test, 512).accuracy();
        }
        assertTrue(measured >= card - 0.001, name + ": measured " + measured + ", card says " + card);
        assertTrue(measured >= floor, name + ": measured " + measured + " is under the floor " + floor);
    }
}
