package io.fashionstream.worker.produce;

import io.fashionstream.core.FashionClass;
import io.fashionstream.worker.testing.TestInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirectorySourceTest {
    private static final int LIMIT = 10 * 1024 * 1024;

    @TempDir
    Path dir;

    @TempDir
    Path outside;

    /** A link to a file outside --dir (say /proc/self/environ, with the producer's secrets) is not sent. */
    @Test
    void linksLeadingOutOfTheDirectoryAreNotFollowedAndThoseInsideAre() throws Exception {
        Path secret = Files.writeString(outside.resolve("environ.png"), "KAFKA_PASSWORD=hunter2");
        write("coat/a.png", TestInputs.png(0));
        Files.createSymbolicLink(dir.resolve("coat/leak.png"), secret);
        Files.createSymbolicLink(dir.resolve("coat-again"), dir.resolve("coat"));
        Files.createSymbolicLink(dir.resolve("elsewhere"), outside);
        DirectorySource source = DirectorySource.open(dir, null, LIMIT);
        assertEquals(List.of("coat/a.png"), items(source).stream().map(ImageSource.Item::id).toList());
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedWhenReadWithoutReadingItAll() throws Exception {
        write("big.png", new byte[5000]);
        write("small.png", TestInputs.png(1));
        DirectorySource source = DirectorySource.open(dir, null, 4096);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> source.item(0));
        assertTrue(e.getMessage().contains("larger than --max-image-bytes (4096 bytes)"), e.getMessage());
        assertArrayEquals(TestInputs.png(1), source.item(1).bytes());
    }

    @Test
    void subFolderNamesGiveLabelsByNameOrIndexAndOtherFilesStayUnlabelled() throws Exception {
        write("ankle-boot/a.png", TestInputs.png(0));
        write("2/b.raw", TestInputs.raw(1));
        write("T-shirt_top/c.png", TestInputs.png(2));
        write("misc/d.png", TestInputs.png(3));
        write("e.png", TestInputs.png(4));
        write("notes.txt", new byte[]{1});
        write(".hidden.png", TestInputs.png(5));

        DirectorySource source = DirectorySource.open(dir, null, LIMIT);

        List<ImageSource.Item> items = items(source);
        assertEquals(List.of("2/b.raw", "T-shirt_top/c.png", "ankle-boot/a.png", "e.png", "misc/d.png"),
                items.stream().map(ImageSource.Item::id).toList());
        assertEquals(FashionClass.PULLOVER, items.get(0).label());
        assertEquals(FashionClass.T_SHIRT_TOP, items.get(1).label());
        assertEquals(FashionClass.ANKLE_BOOT, items.get(2).label());
        assertNull(items.get(3).label(), "a top-level file has no label");
        assertNull(items.get(4).label(), "a folder that names no class gives none");
        assertArrayEquals(TestInputs.raw(1), items.get(0).bytes());
        assertEquals(3, source.labelled());
        assertEquals(java.util.Set.of("misc"), source.unmappedFolders());
        assertTrue(source.describe().contains("no class for folder(s) misc"), source.describe());
    }

    @Test
    void aFolderNamedAfterEitherHalfOfTShirtTopIsThatClassAndOthersAreNamed() throws Exception {
        write("t-shirt/a.png", TestInputs.png(0));
        write("tops/b.png", TestInputs.png(1));
        write("top/c.png", TestInputs.png(2));
        DirectorySource source = DirectorySource.open(dir, null, LIMIT);
        List<ImageSource.Item> items = items(source);
        assertEquals(FashionClass.T_SHIRT_TOP, items.get(0).label());
        assertEquals(FashionClass.T_SHIRT_TOP, items.get(1).label());
        assertNull(items.get(2).label());
        assertEquals(java.util.Set.of("tops"), source.unmappedFolders());
    }

    @Test
    void aCsvGivesLabelsAndMayStartWithAHeaderRow() throws Exception {
        write("x/1.png", TestInputs.png(0));
        write("x/2.png", TestInputs.png(1));
        write("3.png", TestInputs.png(2));
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, "file,label\nx/1.png, Ankle boot\nx/2.png,2\n\n");

        List<ImageSource.Item> items = items(DirectorySource.open(dir, csv, LIMIT));

        assertEquals(List.of("3.png", "x/1.png", "x/2.png"), items.stream().map(ImageSource.Item::id).toList());
        assertNull(items.get(0).label(), "not in the CSV");
        assertEquals(FashionClass.ANKLE_BOOT, items.get(1).label());
        assertEquals(FashionClass.PULLOVER, items.get(2).label());
    }

    @Test
    void aCsvRowWithAnUnknownClassOrFileIsRefusedWithItsRowNumber() throws Exception {
        write("1.png", TestInputs.png(0));
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, "1.png,9\n1.png,hat\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DirectorySource.open(dir, csv, LIMIT));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("hat"), e.getMessage());

        Files.writeString(csv, "1.png,9\nmissing.png,1\n");
        e = assertThrows(IllegalArgumentException.class, () -> DirectorySource.open(dir, csv, LIMIT));
        assertTrue(e.getMessage().contains("no file missing.png"), e.getMessage());
    }

    @Test
    void aDirectoryWithoutImagesIsRefused() throws Exception {
        write("readme.txt", new byte[]{1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DirectorySource.open(dir, null, LIMIT));
        assertTrue(e.getMessage().contains("no image files"), e.getMessage());
    }

    private void write(String relative, byte[] bytes) throws Exception {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private static List<ImageSource.Item> items(ImageSource source) throws Exception {
        List<ImageSource.Item> items = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            items.add(source.item(i));
        }
        return items;
    }
}
