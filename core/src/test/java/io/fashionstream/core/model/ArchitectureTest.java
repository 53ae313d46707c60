package io.fashionstream.core.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ArchitectureTest {
    @Test
    void simpleHasTheNotebooksParameterCount() {
        assertEquals(693_962, network(Architecture.SIMPLE).numParams());
    }

    @Test
    void complex1HasTheNotebooksParameterCountForOneChannel() {
        assertEquals(159_882, network(Architecture.COMPLEX1).numParams());
    }

    @Test
    void everyArchitectureMapsABatchToTenProbabilities() {
        for (Architecture a : Architecture.values()) {
            INDArray out = network(a).output(Nd4j.rand(new int[]{3, 1, 28, 28}));
            assertArrayEquals(new long[]{3, 10}, out.shape(), a.name());
            for (int i = 0; i < 3; i++) {
                assertEquals(1.0, out.getRow(i).sumNumber().doubleValue(), 1e-4, a + " softmax row sums to 1");
            }
        }
    }

    @Test
    void describesLayersTheKerasWay() {
        assertEquals(java.util.List.of("Conv2D(32, 3x3, stride 1, valid, ReLU)", "MaxPool2D(2x2)", "Dense(128, ReLU)",
                "Dense(10, softmax)"), Architecture.SIMPLE.describe());
        assertEquals("Dropout(0.25)", Architecture.COMPLEX1.describe().get(5));
    }

    @Test
    void namesAreParsedCaseInsensitively() {
        assertEquals(Architecture.COMPLEX2, Architecture.fromName("Complex2"));
        assertThrows(IllegalArgumentException.class, () -> Architecture.fromName("resnet"));
    }

    static MultiLayerNetwork network(Architecture a) {
        MultiLayerNetwork net = new MultiLayerNetwork(a.configuration(7));
        net.init();
        return net;
    }
}
