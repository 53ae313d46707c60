import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.NativeBackend;
import io.fashionstream.tools.bench.EngineBench;
import io.fashionstream.tools.bench.LayerProfile;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * One configuration of the levers (run.sh sets the ND4J build and OMP_NUM_THREADS per JVM):
 * `simple`'s whole-pass throughput at 512, its layers one by one, and the 2x2 max pooling
 * as DL4J's SubsamplingLayer runs it against libnd4j's native maxpool2d op, NCHW and NHWC.
 */
public class LeverProbe {
    static final int BATCH = 512;

    public static void main(String[] args) throws Exception {
        NativeBackend.select();
        System.out.println("build: " + NativeBackend.describeLoaded());
        MultiLayerNetwork net = ModelFiles.load(Path.of("models", "simple.zip")).network();
        try (Dl4jEngine classifier = new Dl4jEngine(net.clone())) { // closing it frees its network
            EngineBench.Point p = new EngineBench(classifier, Duration.ofSeconds(1), Duration.ofSeconds(3)).run(BATCH);
            System.out.printf("simple, whole pass at %d: %,.0f images/s (%.1f ms)%n", BATCH, p.imagesPerSec(), p.msPerBatch());
            for (LayerProfile.Layer l : LayerProfile.of(net, BATCH)) {
                System.out.printf("  layer %d %-17s %6.1f ms%n", l.index(), l.type(), l.ms());
            }
        }
        INDArray conv = net.feedForward(Nd4j.rand(DataType.FLOAT, BATCH, 1, 28, 28), false).get(1); // [512, 32, 26, 26]
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        System.out.printf("  max pool 2x2 on %s:%n", Arrays.toString(conv.shape()));
        System.out.printf("    SubsamplingLayer (DL4J)        %6.1f ms%n", median(() -> net.getLayer(1).activate(conv, false, mgr)));
        Pooling2DConfig nchw = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(false).build();
        System.out.printf("    maxpool2d op, NCHW              %6.1f ms%n", median(() -> Nd4j.cnn().maxPooling2d(conv, nchw)));
        INDArray nhwcInput = conv.permute(0, 2, 3, 1).dup('c');
        Pooling2DConfig nhwc = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(true).build();
        System.out.printf("    maxpool2d op, NHWC              %6.1f ms%n", median(() -> Nd4j.cnn().maxPooling2d(nhwcInput, nhwc)));
        INDArray a = net.getLayer(1).activate(conv, false, mgr);
        INDArray b = Nd4j.cnn().maxPooling2d(conv, nchw);
        System.out.println("    same result (NCHW op vs layer): " + a.equalsWithEps(b, 1e-6));
    }

    static double median(Runnable r) {
        double[] t = new double[9];
        r.run();
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }
}
