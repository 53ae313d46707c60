package io.fashionstream.core.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void saveThenLoadGivesBitIdenticalOutputsAndWritesTheOnnxExportBeside() throws Exception {
        for (Architecture a : Architecture.values()) {
            MultiLayerNetwork net = ArchitectureTest.network(a);
            ModelCard written = ModelFiles.save(net, card(a.modelName(), net.numParams()), dir);
            ModelFiles.LoadedModel loaded = ModelFiles.load(dir.resolve(a.modelName() + ".zip"));

            INDArray x = Nd4j.rand(new int[]{16, 1, 28, 28});
            float[] before = net.output(x).data().asFloat();
            float[] after = loaded.network().output(x).data().asFloat();
            assertArrayEquals(before, after, 0f, a + ": outputs must be bit-identical");
            assertEquals(written.version(), loaded.version());
            assertEquals(12, loaded.version().length());
            assertTrue(loaded.card().isPresent());
            assertEquals(net.numParams(), loaded.card().get().parameters());
            Path onnx = dir.resolve(a.modelName() + ".onnx");
            assertEquals(ModelFiles.sha256(onnx), loaded.card().get().onnxSha256(), "the card records the ONNX file");
        }
    }

    @Test
    void missingFileIsReportedAsSuch() {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelFiles.load(dir.resolve("none.zip")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void aFileThatIsNotADl4jModelIsRejected() throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.zip"), "this is not a model");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelFiles.load(junk));
        assertTrue(e.getMessage().contains("is not a DL4J model"), e.getMessage());
    }

    /** DL4J reads preprocessor.bin with Java deserialization: a model file carrying one is refused before DL4J opens it. */
    @Test
    void aModelZipWithAForeignSerializedObjectIsRefused() throws Exception {
        Path zip = dir.resolve("crafted.zip");
        try (java.util.zip.ZipFile shipped = new java.util.zip.ZipFile(Path.of("..", "models", "simple.zip").toFile());
             java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            for (String entry : List.of("configuration.json", "coefficients.bin")) {
                out.putNextEntry(new java.util.zip.ZipEntry(entry));
                shipped.getInputStream(shipped.getEntry(entry)).transferTo(out);
            }
            out.putNextEntry(new java.util.zip.ZipEntry("preprocessor.bin"));
            java.io.ObjectOutputStream object = new java.io.ObjectOutputStream(out);
            object.writeObject(new java.util.HashMap<>(Map.of("gadget", "chain")));
            object.flush();
        }
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelFiles.load(zip));
        assertTrue(e.getMessage().contains("'preprocessor.bin'") && e.getMessage().contains("Java deserialization"),
                e.getMessage());
    }

    @Test
    void aModelWhoseBytesDoNotMatchItsCardIsRefused() throws Exception {
        Path zip = dir.resolve("simple.zip");
        Files.copy(Path.of("..", "models", "simple.zip"), zip);
        Files.copy(Path.of("..", "models", "simple.json"), dir.resolve("simple.json"));
        assertEquals("simple", ModelFiles.load(zip).name(), "the shipped pair matches");
        byte[] bytes = Files.readAllBytes(zip);
        bytes[bytes.length / 2] ^= 1;
        Files.write(zip, bytes);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelFiles.load(zip));
        assertTrue(e.getMessage().contains("does not match its model card"), e.getMessage());
    }

    @Test
    void bareNamesResolveInsideTheModelsDirectory() throws Exception {
        Files.writeString(dir.resolve("simple.zip"), "a model");
        Files.writeString(dir.resolve("onnx-only.onnx"), "a model");
        assertEquals(dir.resolve("simple.zip"), ModelFiles.resolve("simple", dir));
        assertEquals(dir.resolve("onnx-only.zip"), ModelFiles.resolve("onnx-only", dir), "its .onnx is served");
        assertEquals(Path.of("/x/y.zip"), ModelFiles.resolve("/x/y.zip", dir));
    }

    @Test
    void anUnknownNameIsAnsweredWithTheModelsThereAre() throws Exception {
        Files.writeString(dir.resolve("simple.zip"), "a model");
        Files.writeString(dir.resolve("complex2.onnx"), "a model");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelFiles.resolve("complex3", dir));
        assertTrue(e.getMessage().contains("no model 'complex3'"), e.getMessage());
        assertTrue(e.getMessage().endsWith("available: complex2, simple"), e.getMessage());
    }

    @Test
    void theInstallationsModelsFolderIsFoundWhereverTheCommandRuns() {
        // The tests run from core/; the committed models lie in the repository's models/ folder.
        Path found = ModelsDirectory.installed(ModelsDirectory.class);
        assertTrue(found.isAbsolute(), found.toString());
        assertEquals(Path.of("..", "models").toAbsolutePath().normalize(), found);
        assertTrue(ModelsDirectory.available(found).containsAll(List.of("simple", "complex1", "complex2")));
    }

    private static ModelCard card(String name, long params) {
        return new ModelCard(name, null, null, List.of(), params, null, "test", "test", 0.5, 0.5, null, List.of(),
                new long[10][10], Map.of(), "2026-01-01T00:00:00Z", null, null);
    }
}
