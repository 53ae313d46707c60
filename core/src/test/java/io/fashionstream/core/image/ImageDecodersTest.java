package io.fashionstream.core.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecodersTest {
    /** The versions of the native codecs in use, printed for the record (the bench prints them too). */
    @Test
    void namesTheDecoderOfEveryFormatWithTheNativeCodecsVersions() {
        String decoders = ImageDecoders.describe();
        System.out.println("image decoders: " + decoders);
        assertTrue(decoders.matches(".*JPEG: libjpeg-turbo \\d+\\.\\d+.*"), decoders);
        assertTrue(decoders.matches(".*PNG: libpng \\d+\\.\\d+\\.\\d+.*"), decoders);
        assertTrue(decoders.contains("WebP, lossless or extended: TwelveMonkeys 3."), decoders);
        assertTrue(decoders.contains("TIFF, GIF: the JDK's ImageIO"), decoders);
    }
}
