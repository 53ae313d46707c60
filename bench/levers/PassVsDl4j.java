import io.fashionstream.core.inference.NhwcForwardPass;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.NativeBackend;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;

/**
 * Each model's forward pass as the worker runs it ({@link NhwcForwardPass}) against DL4J's
 * {@code MultiLayerNetwork.output}, in one JVM, at several batch sizes ({@link LeverProbe#median}).
 */
public class PassVsDl4j {
    public static void main(String[] args) throws Exception {
        NativeBackend.select();
        for (String model : List.of("simple", "complex1", "complex2")) {
            MultiLayerNetwork net = ModelFiles.load(Path.of("models", model + ".zip")).network();
            NhwcForwardPass pass = NhwcForwardPass.of(net).orElseThrow();
            System.out.println(model);
            for (int batch : new int[]{1, 8, 32, 512}) {
                INDArray x = Nd4j.rand(DataType.FLOAT, batch, 1, 28, 28);
                float[] pixels = x.data().asFloat();
                double passMs = LeverProbe.median(() -> pass.output(pixels, batch));
                double dl4jMs = LeverProbe.median(() -> net.output(x));
                System.out.printf("  batch %4d: NHWC pass %,7.0f images/s, DL4J %,7.0f images/s%n", batch,
                        batch * 1000 / passMs, batch * 1000 / dl4jMs);
            }
        }
    }
}
