package io.fashionstream.core.image;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.photo.CatalogPhotos;
import io.fashionstream.core.photo.PhotoVariation;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static io.fashionstream.core.image.ImagePreprocessorTest.catalogPhoto;
import static io.fashionstream.core.image.ImagePreprocessorTest.encode;
import static io.fashionstream.core.image.ImagePreprocessorTest.preprocess;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_WEBP_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The formats catalogs serve, each from a file made here, and the safety checks on each: header
 * bombs refused by the header alone, truncated files refused rather than filled in, unsupported
 * formats refused by name.
 */
class ImageFormatsTest {
    private static LabelledImages test;
    private static BufferedImage photo;
    private static float[] reference;

    @BeforeAll
    static void load() throws Exception {
        test = FashionMnist.loadShippedTestSplit();
        photo = catalogPhoto(test.image(1), 8, 60, 30);
        reference = preprocess(encode(photo, "png"));
    }

    @Test
    void webpLossyLosslessAndWithAlphaDecodeLikeThePng() throws Exception {
        assertClose(preprocess(CatalogPhotos.webp(photo, 90)), 0.03, "lossy WebP");
        assertClose(preprocess(CatalogPhotos.webp(photo, 101)), 0.02, "lossless WebP");
        // Alpha: the same article on a fully transparent background, which counts as white.
        for (int quality : new int[]{90, 101}) {
            byte[] webp = webpWithTransparentBackground(photo, quality);
            assertTrue(ImageHeader.read(webp, ImageFormat.WEBP).alpha(), "the header says it has alpha");
            assertClose(preprocess(webp), 0.03, "WebP with alpha, quality " + quality);
        }
    }

    /**
     * No record reaches a native decoder with a known memory-safety CVE: lossless WebP (CVE-2023-4863),
     * WebP with an alpha plane (CVE-2023-1999) and TIFF (CVE-2022-3970, CVE-2023-52356) are decoded in
     * Java; only the simple lossy WebP goes to libwebp, whose lossy decoder has none.
     */
    @Test
    void onlySimpleLossyWebpReachesLibwebpAndNoTiffReachesLibtiff() throws Exception {
        byte[] lossy = CatalogPhotos.webp(photo, 90);
        byte[] lossless = CatalogPhotos.webp(photo, 101);
        byte[] withAlpha = webpWithTransparentBackground(photo, 90);
        byte[] tiff = encode(photo, "tiff");
        assertFalse(ImageIoDecoder.decodes(ImageHeader.read(lossy, ImageFormat.WEBP), lossy), "lossy: libwebp");
        assertTrue(ImageIoDecoder.decodes(ImageHeader.read(lossless, ImageFormat.WEBP), lossless), "lossless: Java");
        assertTrue(ImageIoDecoder.decodes(ImageHeader.read(withAlpha, ImageFormat.WEBP), withAlpha), "alpha: Java");
        assertTrue(ImageIoDecoder.decodes(ImageHeader.read(tiff, ImageFormat.TIFF), tiff), "TIFF: Java");
        byte[] jpeg = encode(photo, "jpg");
        assertFalse(ImageIoDecoder.decodes(ImageHeader.read(jpeg, ImageFormat.JPEG), jpeg), "JPEG: libjpeg-turbo");
    }

    @Test
    void tiffDecodesLikeThePng() throws Exception {
        assertClose(preprocess(encode(photo, "tiff")), 0.02, "TIFF");
    }

    @Test
    void aCmykJpegGetsItsTonesRight() throws Exception {
        byte[] cmyk = adobeCmykJpeg(photo);
        assertEquals(4, jpegComponents(cmyk), "four components: C, M, Y and K");
        assertClose(preprocess(cmyk), 0.05, "CMYK JPEG");
    }

    @Test
    void exifOrientationIsApplied() throws Exception {
        PhotoVariation turned = new PhotoVariation("t", "t", 8, 8, 0.2, 0.2, 0, 250, 250, true, 0, 0, 0,
                PhotoVariation.Format.JPEG, 95, 6);
        PhotoVariation straight = new PhotoVariation("s", "s", 8, 8, 0.2, 0.2, 0, 250, 250, true, 0, 0, 0,
                PhotoVariation.Format.JPEG, 95, 1);
        float[] a = preprocess(CatalogPhotos.render(test.image(1), straight, new Random(3)));
        float[] b = preprocess(CatalogPhotos.render(test.image(1), turned, new Random(3)));
        assertTrue(meanDifference(a, b) < 0.03, "rotated by its EXIF tag: " + meanDifference(a, b));
    }

    @Test
    void sixteenBitAndPalettePngsWithTransparency() throws Exception {
        // 16-bit gray: the same tones as 8-bit.
        BufferedImage gray16 = new BufferedImage(photo.getWidth(), photo.getHeight(), BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = gray16.getRaster();
        for (int y = 0; y < photo.getHeight(); y++) {
            for (int x = 0; x < photo.getWidth(); x++) {
                r.setSample(x, y, 0, (photo.getRGB(x, y) & 0xff) * 257);
            }
        }
        assertClose(preprocess(encode(gray16, "png")), 0.01, "16-bit PNG");

        // Palette with a transparent entry as background: composited over white, like the opaque white one.
        byte[] levels = new byte[256];
        for (int i = 0; i < 256; i++) {
            levels[i] = (byte) i;
        }
        IndexColorModel palette = new IndexColorModel(8, 256, levels, levels, levels, 255); // 255: transparent
        BufferedImage indexed = new BufferedImage(photo.getWidth(), photo.getHeight(), BufferedImage.TYPE_BYTE_INDEXED, palette);
        for (int y = 0; y < photo.getHeight(); y++) {
            for (int x = 0; x < photo.getWidth(); x++) {
                indexed.getRaster().setSample(x, y, 0, photo.getRGB(x, y) & 0xff);
            }
        }
        byte[] png = encode(indexed, "png");
        assertTrue(ImageHeader.read(png, ImageFormat.PNG).alpha(), "a tRNS chunk marks transparency");
        assertClose(preprocess(png), 0.01, "palette PNG with a transparent background");
    }

    @Test
    void avifAndHeicAreRefusedByName() {
        for (String brand : new String[]{"avif", "heic", "mif1"}) {
            byte[] file = ftyp(brand, brand.equals("mif1") ? "heic" : brand);
            InvalidImageException e = assertThrows(InvalidImageException.class, () -> preprocess(file));
            assertEquals(InvalidImageException.Reason.UNSUPPORTED_FORMAT, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith(brand.equals("avif") ? "AVIF" : "HEIC"), e.getMessage());
        }
    }

    @Test
    void headerBombsOfEveryFormatAreRefusedFromTheHeaderAlone() throws Exception {
        byte[][] bombs = {
                ImagePreprocessorTest.pngHeaderClaiming(50_000, 50_000),
                jpegHeaderClaiming(60_000, 60_000),
                gifHeaderClaiming(65_535, 65_535),
                bmpHeaderClaiming(50_000, 50_000),
                webpHeaderClaiming(16_383, 16_383),
                tiffHeaderClaiming(100_000, 100_000)};
        for (byte[] bomb : bombs) {
            InvalidImageException e = assertThrows(InvalidImageException.class, () -> preprocess(bomb));
            assertEquals(InvalidImageException.Reason.TOO_MANY_PIXELS, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("header declares"), e.getMessage());
        }
    }

    /** RSTn and TEM carry no length: read as libjpeg reads them, a marker before the frame header hides nothing. */
    @Test
    void markersWithoutALengthAreSteppedOverAsTheDecoderDoes() throws Exception {
        byte[] jpeg = encode(photo, "jpg");
        byte[] withRst = new byte[jpeg.length + 4];
        System.arraycopy(jpeg, 0, withRst, 0, 2); // SOI
        withRst[2] = (byte) 0xff;
        withRst[3] = (byte) 0xd0; // RST0, no length
        withRst[4] = (byte) 0xff;
        withRst[5] = (byte) 0x01; // TEM, no length
        System.arraycopy(jpeg, 2, withRst, 6, jpeg.length - 2);
        ImageHeader header = ImageHeader.read(withRst, ImageFormat.JPEG);
        assertEquals(photo.getWidth(), header.width());
        assertEquals(photo.getHeight(), header.height());
    }

    /** A decoy frame header beside the real one: the check and the decoder could each take a different one. */
    @Test
    void aSecondFrameHeaderIsRefused() throws Exception {
        byte[] jpeg = encode(photo, "jpg");
        int sof = frameHeader(jpeg);
        int length = ((jpeg[sof + 2] & 0xff) << 8) | (jpeg[sof + 3] & 0xff);
        byte[] decoy = Arrays.copyOfRange(jpeg, sof, sof + 2 + length);
        decoy[5] = 0;
        decoy[6] = 28; // height 28
        decoy[7] = 0;
        decoy[8] = 28; // width 28
        byte[] twoFrames = new byte[jpeg.length + decoy.length];
        System.arraycopy(jpeg, 0, twoFrames, 0, sof);
        System.arraycopy(decoy, 0, twoFrames, sof, decoy.length);
        System.arraycopy(jpeg, sof, twoFrames, sof + decoy.length, jpeg.length - sof);
        assertEquals(28, ImageHeader.read(twoFrames, ImageFormat.JPEG).width(), "the header check meets the decoy first");
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> preprocess(twoFrames));
        assertEquals(InvalidImageException.Reason.UNDECODABLE, e.reason());
        assertTrue(e.getMessage().contains("second frame header"), e.getMessage());
    }

    /** A CPU bomb: scans of nothing but end-of-band runs cost ~50 bytes each and a pass over the image each. */
    @Test
    void aJpegWithMoreScansThanTheLimitIsRefusedBeforeDecoding() throws Exception {
        byte[] bomb = jpegWithExtraScans(ImageHeader.MAX_JPEG_SCANS);
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> preprocess(bomb));
        assertEquals(InvalidImageException.Reason.TOO_MANY_SCANS, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("more than 256 scans"), e.getMessage());
        ImageHeader.requireWhole(jpegWithExtraScans(ImageHeader.MAX_JPEG_SCANS - 1), ImageFormat.JPEG); // at the limit
    }

    /** A scan-bomb JPEG: a real one with {@code extra} empty scans before its end-of-image marker. */
    static byte[] jpegWithExtraScans(int extra) throws IOException {
        byte[] jpeg = encode(photo, "jpg");
        byte[] scan = {(byte) 0xff, (byte) 0xda, 0, 8, 1, 1, 0, 0, 63, 0};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, jpeg.length - 2);
        for (int i = 0; i < extra; i++) {
            out.write(scan);
        }
        out.write(jpeg, jpeg.length - 2, 2);
        return out.toByteArray();
    }

    @Test
    void aTiffThatDeclaresItsWidthTwiceIsRefused() {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + 3 * 12 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        b.putShort((short) 3);
        b.putShort((short) 256).putShort((short) 4).putInt(1).putInt(28);
        b.putShort((short) 257).putShort((short) 4).putInt(1).putInt(28);
        b.putShort((short) 256).putShort((short) 4).putInt(1).putInt(60_000);
        b.putInt(0);
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> preprocess(b.array()));
        assertEquals(InvalidImageException.Reason.UNDECODABLE, e.reason());
        assertTrue(e.getMessage().contains("declares its width twice"), e.getMessage());
    }

    @Test
    void aDecodeLargerThanItsHeaderDeclaredIsRefused() throws Exception {
        ImageHeader header = new ImageHeader(ImageFormat.JPEG, 600, 800, false);
        header.requireDecodedSize(150, 200, 4); // a 1/4-scale decode
        header.requireDecodedSize(200, 150, 4); // turned by its EXIF orientation
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> header.requireDecodedSize(6000, 6000, 4));
        assertTrue(e.getMessage().contains("decodes to 6000x6000 pixels where its header declares 600x800"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = PhotoVariation.Format.class)
    void truncatedFilesAreUndecodableNeverClassified(PhotoVariation.Format format) {
        byte[] whole = CatalogPhotos.sized(test.image(1), 300, 400, format, new Random(1));
        for (double kept : new double[]{0.9, 0.5}) {
            byte[] cut = Arrays.copyOf(whole, (int) (whole.length * kept));
            InvalidImageException e = assertThrows(InvalidImageException.class, () -> preprocess(cut),
                    format + " cut to " + kept);
            assertEquals(InvalidImageException.Reason.UNDECODABLE, e.reason(), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void truncatedTiffGifAndBmpAreUndecodable() throws Exception {
        for (String format : new String[]{"tiff", "gif", "bmp"}) {
            byte[] whole = encode(photo, format);
            byte[] cut = Arrays.copyOf(whole, whole.length / 2);
            InvalidImageException e = assertThrows(InvalidImageException.class, () -> preprocess(cut), format);
            assertEquals(InvalidImageException.Reason.UNDECODABLE, e.reason(), e.getMessage());
        }
    }

    @Test
    void anEdgeLongerThanTheCodecsTakeIsRefusedWithThatReason() {
        // Within the pixel limit (40,000,000 x 1), but wider than libpng and OpenCV decode.
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> preprocess(ImagePreprocessorTest.pngHeaderClaiming(40_000_000, 1)));
        assertEquals(InvalidImageException.Reason.UNDECODABLE, e.reason());
        assertEquals("PNG header declares 40000000x1 pixels: the decoders take at most 1,000,000 pixels per edge",
                e.getMessage());
    }

    @Test
    void aDecoderFailureNamesItsRootCause() {
        Exception wrapped = new IOException("Caught exception during read: ",
                new ArithmeticException("/ by zero"));
        assertEquals("ArithmeticException: / by zero", ImagePreprocessor.rootCause(wrapped));
    }

    // --- hand-made files ---

    private static void assertClose(float[] actual, double tolerance, String what) {
        double d = meanDifference(reference, actual);
        assertTrue(d < tolerance, what + ": mean absolute difference from the PNG " + d);
        float max = 0;
        for (float v : actual) {
            max = Math.max(max, v);
        }
        assertTrue(max > 0.9f, what + ": the article is bright (" + max + ")");
    }

    private static double meanDifference(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }

    /** The photo with its white background made transparent (what a cut-out product shot looks like), as WebP. */
    private static byte[] webpWithTransparentBackground(BufferedImage image, int quality) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] bgra = new byte[w * h * 4];
        for (int i = 0; i < w * h; i++) {
            int rgb = image.getRGB(i % w, i / w);
            boolean background = (rgb & 0xffffff) == 0xffffff;
            bgra[4 * i] = (byte) (background ? 0 : rgb);
            bgra[4 * i + 1] = (byte) (background ? 0 : rgb >> 8);
            bgra[4 * i + 2] = (byte) (background ? 0 : rgb >> 16);
            bgra[4 * i + 3] = (byte) (background ? 0 : 255);
        }
        try (BytePointer pixels = new BytePointer(bgra);
             Mat mat = new Mat(h, w, CV_8UC4, pixels);
             BytePointer out = new BytePointer();
             IntPointer params = new IntPointer(IMWRITE_WEBP_QUALITY, quality)) {
            assertTrue(imencode(".webp", mat, out, params));
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    /**
     * A CMYK JPEG as Photoshop writes it: four components stored inverted, with an Adobe APP14
     * segment (transform 0) that says so.
     */
    private static byte[] adobeCmykJpeg(BufferedImage image) throws IOException {
        int w = image.getWidth();
        int h = image.getHeight();
        WritableRaster cmyk = java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                double r = ((rgb >> 16) & 0xff) / 255.0;
                double g = ((rgb >> 8) & 0xff) / 255.0;
                double b = (rgb & 0xff) / 255.0;
                double k = 1 - Math.max(r, Math.max(g, b));
                double c = k >= 1 ? 0 : (1 - r - k) / (1 - k);
                double m = k >= 1 ? 0 : (1 - g - k) / (1 - k);
                double yy = k >= 1 ? 0 : (1 - b - k) / (1 - k);
                int[] inverted = {(int) Math.round(255 * (1 - c)), (int) Math.round(255 * (1 - m)),
                        (int) Math.round(255 * (1 - yy)), (int) Math.round(255 * (1 - k))};
                cmyk.setPixel(x, y, inverted);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(cmyk, null, null), null);
        } finally {
            writer.dispose();
        }
        byte[] jpeg = out.toByteArray();
        byte[] adobe = {(byte) 0xff, (byte) 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        ByteArrayOutputStream withMarker = new ByteArrayOutputStream();
        withMarker.write(jpeg, 0, 2);
        withMarker.writeBytes(adobe);
        withMarker.write(jpeg, 2, jpeg.length - 2);
        return withMarker.toByteArray();
    }

    /** The component count of a JPEG's first frame header. */
    private static int jpegComponents(byte[] jpeg) {
        for (int i = 2; i + 9 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && ((jpeg[i + 1] & 0xff) == 0xc0 || (jpeg[i + 1] & 0xff) == 0xc2)) {
                return jpeg[i + 9];
            }
        }
        return -1;
    }

    private static byte[] ftyp(String major, String compatible) {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putInt(20).put("ftyp".getBytes(StandardCharsets.US_ASCII)).put(major.getBytes(StandardCharsets.US_ASCII))
                .putInt(0).put(compatible.getBytes(StandardCharsets.US_ASCII));
        b.putInt(12).put("meta".getBytes(StandardCharsets.US_ASCII)).putInt(0);
        return b.array();
    }

    /** Where a JPEG's baseline or progressive frame header (FFC0 / FFC2) is. */
    private static int frameHeader(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && ((jpeg[i + 1] & 0xff) == 0xc0 || (jpeg[i + 1] & 0xff) == 0xc2)) {
                return i;
            }
        }
        throw new AssertionError("no frame header");
    }

    private static byte[] jpegHeaderClaiming(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(2 + 19 + 2);
        b.put((byte) 0xff).put((byte) 0xd8);
        b.put((byte) 0xff).put((byte) 0xc0).putShort((short) 17).put((byte) 8).putShort((short) height)
                .putShort((short) width).put((byte) 3);
        for (int c = 1; c <= 3; c++) {
            b.put((byte) c).put((byte) 0x11).put((byte) 0);
        }
        b.put((byte) 0xff).put((byte) 0xd9);
        return b.array();
    }

    private static byte[] gifHeaderClaiming(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(StandardCharsets.US_ASCII)).putShort((short) width).putShort((short) height)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        b.put((byte) 0x2c).putShort((short) 0).putShort((short) 0).putShort((short) width).putShort((short) height)
                .put((byte) 0).put((byte) 2).put((byte) 0).put((byte) 0x3b);
        return b.array();
    }

    private static byte[] bmpHeaderClaiming(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(54).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(54).putInt(0).putInt(54);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 24).putInt(0).putInt(0)
                .putInt(2835).putInt(2835).putInt(0).putInt(0);
        return b.array();
    }

    private static byte[] webpHeaderClaiming(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(30 + 10).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(32).put("WEBP".getBytes(StandardCharsets.US_ASCII));
        b.put("VP8 ".getBytes(StandardCharsets.US_ASCII)).putInt(20);
        b.put((byte) 0x10).put((byte) 0x02).put((byte) 0x00); // frame tag: key frame
        b.put((byte) 0x9d).put((byte) 0x01).put((byte) 0x2a).putShort((short) width).putShort((short) height);
        return b.array();
    }

    private static byte[] tiffHeaderClaiming(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + 2 * 12 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        b.putShort((short) 2);
        b.putShort((short) 256).putShort((short) 4).putInt(1).putInt(width);
        b.putShort((short) 257).putShort((short) 4).putInt(1).putInt(height);
        b.putInt(0);
        return b.array();
    }
}
