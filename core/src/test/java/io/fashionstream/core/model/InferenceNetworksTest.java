package io.fashionstream.core.model;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.ImageTensors;
import io.fashionstream.core.data.LabelledImages;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InferenceNetworksTest {
    @ParameterizedTest
    @ValueSource(strings = {"simple", "complex1", "complex2"})
    void theOptimizedNetworkScoresTestImagesAsTheTrainedOneDoes(String model) throws Exception {
        MultiLayerNetwork trained = ModelFiles.load(Path.of("..", "models", model + ".zip")).network();
        MultiLayerNetwork optimized = InferenceNetworks.optimized(trained);

        long pools = trained.getLayerWiseConfigurations().getConfs().stream()
                .filter(c -> c.getLayer() instanceof SubsamplingLayer).count();
        assertTrue(pools > 0, model + " has max pooling");
        assertEquals(pools, optimized.getLayerWiseConfigurations().getConfs().stream()
                .filter(c -> c.getLayer() instanceof NativeMaxPool2D).count(), "every pooling layer replaced");
        assertFalse(optimized.getLayerWiseConfigurations().getConfs().stream()
                .anyMatch(c -> c.getLayer() instanceof SubsamplingLayer));
        assertEquals(trained.numParams(), optimized.numParams());

        LabelledImages images = FashionMnist.loadShippedTestSplit();
        INDArray x = ImageTensors.features(images, ImageTensors.identityOrder(images.size()), 0, 100, null);
        INDArray expected = trained.output(x, false);
        INDArray actual = optimized.output(x, false);
        assertTrue(expected.equalsWithEps(actual, 1e-5), model + ": scores differ");
    }
}
