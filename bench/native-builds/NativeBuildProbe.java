import io.fashionstream.core.model.Architecture;
import io.fashionstream.core.model.NativeBackend;
import io.fashionstream.core.model.NativeConv2D;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Compares the ND4J native builds on the shapes our networks use: DL4J's ConvolutionLayer
 * against our NativeConv2D (libnd4j's conv2d op), forward at batch 256, and training and
 * inference throughput of the 'simple' network. Run by run.sh once per build.
 */
public class NativeBuildProbe {
    public static void main(String[] args) {
        System.out.println("build: " + NativeBackend.describeLoaded());
        int[][] shapes = {{1, 32, 28}, {32, 64, 14}, {32, 32, 28}};
        for (int[] s : shapes) {
            double dl4j = forwardMs(new ConvolutionLayer.Builder(3, 3).nOut(s[1]).activation(Activation.RELU).build(), s);
            double ours = forwardMs(new NativeConv2D(s[1], 3, 1, false), s);
            double gflop = 2.0 * 256 * (s[2] - 2) * (s[2] - 2) * s[0] * s[1] * 9 / 1e9;
            System.out.printf("conv %2d->%2d @%dx%d, batch 256: ConvolutionLayer %7.1f ms (%5.1f GFLOP/s), NativeConv2D %7.1f ms (%5.1f GFLOP/s)%n",
                    s[0], s[1], s[2], s[2], dl4j, gflop / (dl4j / 1e3), ours, gflop / (ours / 1e3));
        }
        MultiLayerNetwork simple = new MultiLayerNetwork(Architecture.SIMPLE.configuration(1));
        simple.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 1, 28, 28);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 64, 10);
        for (int i = 0; i < 64; i++) {
            y.putScalar(i, i % 10, 1);
        }
        DataSet batch = new DataSet(x, y);
        for (int i = 0; i < 10; i++) {
            simple.fit(batch);
        }
        long t = System.nanoTime();
        int n = 60;
        for (int i = 0; i < n; i++) {
            simple.fit(batch);
        }
        System.out.printf("simple: training %.0f images/s (batch 64)%n", n * 64 / ((System.nanoTime() - t) / 1e9));
        for (int bs : new int[]{1, 32, 512}) {
            INDArray in = Nd4j.rand(DataType.FLOAT, bs, 1, 28, 28);
            for (int i = 0; i < 10; i++) {
                simple.output(in);
            }
            int reps = Math.max(20, 10_000 / bs);
            t = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                simple.output(in);
            }
            System.out.printf("simple: inference %.0f images/s (batch %d)%n", reps * bs / ((System.nanoTime() - t) / 1e9), bs);
        }
    }

    private static double forwardMs(Layer layer, int[] shape) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(layer).setInputType(InputType.convolutional(shape[2], shape[2], shape[0])).build());
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 256, shape[0], shape[2], shape[2]);
        for (int i = 0; i < 3; i++) {
            net.output(x);
        }
        int n = 10;
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            net.output(x);
        }
        return (System.nanoTime() - t) / 1e6 / n;
    }
}
