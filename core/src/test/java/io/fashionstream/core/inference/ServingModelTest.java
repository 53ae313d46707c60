package io.fashionstream.core.inference;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.ImageTensors;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelLoadException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening a model for serving with either engine, and what the engines' copies share. */
class ServingModelTest {
    private static final Path MODELS = Path.of("..", "models");
    private static final int COUNT = 50;

    @TempDir
    Path dir;

    @Test
    void bothEnginesServeTheSameModelVersionAndScores() throws Exception {
        float[] pixels = testImages(COUNT);
        try (ServingModel onnx = ServingModel.open("simple", MODELS, EngineKind.ONNXRUNTIME, 1);
             ServingModel dl4j = ServingModel.open("simple", MODELS, EngineKind.DL4J, 0)) {
            assertEquals("onnxruntime", onnx.engine().name());
            assertEquals("dl4j", dl4j.engine().name());
            assertEquals(dl4j.version(), onnx.version(), "results name the trained model's version either way");
            assertEquals("simple", onnx.name());
            assertTrue(onnx.card().isPresent());
            assertSameScores(dl4j.engine().batchPredict(pixels, COUNT), onnx.engine().batchPredict(pixels, COUNT), 1e-5f);
        }
    }

    @Test
    void int8ServesTheQuantizedFileAndAutoChoosesItOnlyWhereItsCardAndTheCpuSaySo() throws Exception {
        ModelCard card = ModelFiles.readCard(MODELS.resolve("complex2.zip")).orElseThrow();
        try (ServingModel int8 = ServingModel.open("complex2", MODELS, EngineKind.ONNXRUNTIME, 1, Precision.INT8);
             ServingModel auto = ServingModel.open("complex2", MODELS, EngineKind.ONNXRUNTIME, 1, Precision.AUTO);
             ServingModel fp32 = ServingModel.open("complex2", MODELS, EngineKind.ONNXRUNTIME, 1, Precision.FP32)) {
            assertEquals(Precision.INT8, int8.precision());
            assertEquals(card.int8().sha256(), int8.onnxSha256());
            assertEquals(card.onnxSha256(), fp32.onnxSha256());
            assertEquals(fp32.version(), int8.version(), "the same trained model either way");
            Precision expected = CpuFeatures.hasInt8DotProduct() && card.int8().keepsAccuracy(card.testAccuracy())
                    ? Precision.INT8 : Precision.FP32;
            assertEquals(expected, auto.precision());
            float[] pixels = testImages(COUNT);
            long agree = 0;
            List<Prediction> a = int8.engine().batchPredict(pixels, COUNT);
            List<Prediction> b = fp32.engine().batchPredict(pixels, COUNT);
            for (int i = 0; i < COUNT; i++) {
                agree += a.get(i).label() == b.get(i).label() ? 1 : 0;
            }
            assertTrue(agree >= COUNT - 2, agree + " of " + COUNT + " labels as float32's");
        }
        try (ServingModel simple = ServingModel.open("simple", MODELS, EngineKind.ONNXRUNTIME, 1, Precision.AUTO)) {
            assertEquals(Precision.FP32, simple.precision(), "INT8 is slower for simple: there is no file");
        }
        ModelLoadException none = assertThrows(ModelLoadException.class,
                () -> ServingModel.open("simple", MODELS, EngineKind.ONNXRUNTIME, 1, Precision.INT8));
        assertTrue(none.getMessage().contains("has no INT8 version"), none.getMessage());
        assertThrows(ModelLoadException.class, () -> ServingModel.open("complex2", MODELS, EngineKind.DL4J, 0, Precision.INT8));
        assertEquals(List.of("complex1", "complex2", "simple"), io.fashionstream.core.model.ModelsDirectory.available(MODELS),
                "an INT8 version is not a model of its own");
    }

    @Test
    void aModelWithoutAnOnnxFileBesideItIsExportedInMemory() throws Exception {
        Path zip = Files.copy(MODELS.resolve("simple.zip"), dir.resolve("simple.zip"));
        float[] pixels = testImages(COUNT);
        try (ServingModel exported = ServingModel.open(zip.toString(), dir, EngineKind.ONNXRUNTIME, 1);
             ServingModel shipped = ServingModel.open("simple", MODELS, EngineKind.ONNXRUNTIME, 1)) {
            assertTrue(Files.notExists(dir.resolve("simple.onnx")), "nothing written beside the model");
            assertSameScores(shipped.engine().batchPredict(pixels, COUNT), exported.engine().batchPredict(pixels, COUNT), 0f);
        }
    }

    /** ONNX Runtime serves by default: an .onnx file that is not the one its card names is refused, not served. */
    @Test
    void anOnnxFileThatDoesNotMatchItsCardIsRefused() throws Exception {
        Files.copy(MODELS.resolve("simple.zip"), dir.resolve("simple.zip"));
        Files.copy(MODELS.resolve("simple.json"), dir.resolve("simple.json"));
        Files.copy(MODELS.resolve("complex1.onnx"), dir.resolve("simple.onnx")); // a valid model, but another one
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ServingModel.open("simple", dir, EngineKind.ONNXRUNTIME, 1));
        assertTrue(e.getMessage().contains("simple.onnx does not match its model card"), e.getMessage());
    }

    @Test
    void copiesShareTheSessionUntilTheLastIsClosed() throws Exception {
        float[] pixels = testImages(COUNT);
        ServingModel model = ServingModel.open(MODELS.resolve("simple.onnx").toString(), MODELS, EngineKind.ONNXRUNTIME, 1);
        InferenceEngine copy = model.engine().copy();
        List<Prediction> before = model.engine().batchPredict(pixels, COUNT);
        model.close();
        // The copy still runs on the session after the original is closed, from a buffer sized for a larger batch.
        float[] larger = Arrays.copyOf(pixels, 2 * pixels.length);
        assertSameScores(before, copy.batchPredict(larger, COUNT), 0f);
        copy.close();
    }

    @Test
    void unservableRequestsFailWithTheirReason() {
        ModelLoadException onnxOnDl4j = assertThrows(ModelLoadException.class, () ->
                ServingModel.open(MODELS.resolve("simple.onnx").toString(), MODELS, EngineKind.DL4J, 0));
        assertTrue(onnxOnDl4j.getMessage().contains("the dl4j engine runs the trained .zip"), onnxOnDl4j.getMessage());
        ModelLoadException missing = assertThrows(ModelLoadException.class, () ->
                ServingModel.open(dir.resolve("absent.onnx").toString(), dir, EngineKind.ONNXRUNTIME, 0));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EngineKind.parse("tensorrt"));
        assertEquals(EngineKind.DL4J, EngineKind.parse("dl4j"));
        assertThrows(IllegalArgumentException.class, () -> EngineKind.parse("DL4J"), "spelt as the help spells it");
    }

    private static float[] testImages(int count) throws Exception {
        LabelledImages images = FashionMnist.loadShippedTestSplit();
        return ImageTensors.features(images, ImageTensors.identityOrder(images.size()), 0, count, null).data().asFloat();
    }

    private static void assertSameScores(List<Prediction> expected, List<Prediction> actual, float tolerance) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).scores(), actual.get(i).scores(), tolerance, "image " + i);
        }
    }
}
