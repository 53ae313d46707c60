package io.fashionstream.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FashionMnistTest {
    @TempDir
    Path dir;

    @Test
    void missingTrainSplitExplainsHowToGetIt() {
        FashionMnist dataset = new FashionMnist(Optional.empty(), Optional.of(dir.resolve("env")), dir.resolve("debian"));
        DataNotFoundException e = assertThrows(DataNotFoundException.class, () -> dataset.locate(FashionMnist.Split.TRAIN));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("--data DIR"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("env").toString()), "names where it looked: " + e.getMessage());
    }

    @Test
    void testSplitFallsBackToTheShippedCopy() throws IOException {
        FashionMnist dataset = new FashionMnist(Optional.empty(), Optional.empty(), dir.resolve("debian"));
        FashionMnist.SplitFiles files = dataset.locate(FashionMnist.Split.TEST);
        assertTrue(files.images().name().startsWith("classpath:"));
        assertEquals(10_000, files.load().size());
        assertEquals("8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
                files.checksums().get("t10k-labels-idx1-ubyte.gz"));
    }

    @Test
    void explicitDirectoryWinsAndIsNotSilentlyReplaced() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        FashionMnist dataset = new FashionMnist(Optional.of(data), Optional.empty(), dir.resolve("debian"));
        assertThrows(DataNotFoundException.class, () -> dataset.locate(FashionMnist.Split.TEST));
        Files.write(data.resolve("t10k-images-idx3-ubyte"), IdxReaderTest.images(1, 28, 28, new byte[784]));
        Files.write(data.resolve("t10k-labels-idx1-ubyte"), IdxReaderTest.labels(new byte[]{3}));
        assertEquals(1, dataset.locate(FashionMnist.Split.TEST).load().size());
    }
}
