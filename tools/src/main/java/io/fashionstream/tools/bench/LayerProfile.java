package io.fashionstream.tools.bench;

import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.inference.NhwcForwardPass;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a forward pass spends its time, layer by layer: each layer (with its input preprocessor,
 * e.g. the flattening before a dense layer), or each step of an {@link NhwcForwardPass}, runs
 * alone on the activations the one before it produced, the median of several runs. Shares are
 * of the sum over layers.
 */
public final class LayerProfile {
    private static final int REPEATS = 7;

    private LayerProfile() {
    }

    /** One layer's share of a forward pass. */
    public record Layer(int index, String type, String name, double ms, double share) {
    }

    /** Profiles what {@code classifier} runs: its NHWC pass step by step, or its DL4J network layer by layer. */
    public static List<Layer> of(Dl4jEngine classifier, int batchSize) {
        if (classifier.forwardPass().isEmpty()) {
            return of(classifier.network(), batchSize);
        }
        Nd4j.getRandom().setSeed(42);
        List<NhwcForwardPass.Timing> steps = classifier.forwardPass().get().profile(batchSize, REPEATS);
        double total = steps.stream().mapToDouble(NhwcForwardPass.Timing::ms).sum();
        return steps.stream().map(s -> new Layer(s.layer(), s.type(), "layer" + s.layer(), s.ms(), s.ms() / total)).toList();
    }

    /** Profiles {@code network} at {@code batchSize} on a fixed random input. */
    public static List<Layer> of(MultiLayerNetwork network, int batchSize) {
        Nd4j.getRandom().setSeed(42);
        INDArray input = Nd4j.rand(DataType.FLOAT, batchSize, 1, 28, 28);
        List<INDArray> activations = network.feedForward(input, false); // [input, layer 0 output, ...]
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        int layers = network.getnLayers();
        double[] ms = new double[layers];
        for (int i = 0; i < layers; i++) {
            InputPreProcessor pre = network.getLayerWiseConfigurations().getInputPreProcess(i);
            INDArray in = activations.get(i);
            double[] runs = new double[REPEATS + 1];
            for (int r = 0; r <= REPEATS; r++) { // the first run warms up
                long start = System.nanoTime();
                INDArray x = pre == null ? in : pre.preProcess(in, batchSize, noWorkspaces);
                network.getLayer(i).activate(x, false, noWorkspaces);
                runs[r] = (System.nanoTime() - start) / 1e6;
            }
            double[] measured = Arrays.copyOfRange(runs, 1, runs.length);
            Arrays.sort(measured);
            ms[i] = measured[REPEATS / 2];
        }
        double total = Arrays.stream(ms).sum();
        List<Layer> result = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            var conf = network.getLayerWiseConfigurations().getConf(i).getLayer();
            result.add(new Layer(i, conf.getClass().getSimpleName(), conf.getLayerName(), ms[i], ms[i] / total));
        }
        return result;
    }
}
