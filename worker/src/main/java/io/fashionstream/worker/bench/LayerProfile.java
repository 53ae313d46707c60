package io.fashionstream.worker.bench;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a forward pass spends its time, layer by layer: the time to run the network up to layer
 * {@code i} minus the time up to layer {@code i - 1}, each the median of several passes on the
 * same fixed input, so the figures add up (within noise) to one whole pass.
 */
public final class LayerProfile {
    private static final int REPEATS = 7;

    private LayerProfile() {
    }

    /** One layer's share of a forward pass. */
    public record Layer(int index, String type, String name, double ms, double share) {
    }

    /** Profiles {@code network} at {@code batchSize} (one warm-up pass first). */
    public static List<Layer> of(MultiLayerNetwork network, int batchSize) {
        Nd4j.getRandom().setSeed(42);
        INDArray input = Nd4j.rand(DataType.FLOAT, batchSize, 1, 28, 28);
        int layers = network.getnLayers();
        network.feedForwardToLayer(layers - 1, input, false);
        double[] upTo = new double[layers];
        for (int i = 0; i < layers; i++) {
            double[] runs = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                long start = System.nanoTime();
                network.feedForwardToLayer(i, input, false);
                runs[r] = (System.nanoTime() - start) / 1e6;
            }
            java.util.Arrays.sort(runs);
            upTo[i] = runs[REPEATS / 2];
        }
        double total = upTo[layers - 1];
        List<Layer> result = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            double ms = Math.max(0, upTo[i] - (i == 0 ? 0 : upTo[i - 1]));
            var conf = network.getLayerWiseConfigurations().getConf(i).getLayer();
            result.add(new Layer(i, conf.getClass().getSimpleName(), conf.getLayerName(), ms, ms / total));
        }
        return result;
    }
}
