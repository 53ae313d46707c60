package io.fashionstream.core.image;

import org.bytedeco.opencv.global.opencv_core;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which decoder handles each accepted format, with the versions of the native codec libraries in
 * use as OpenCV's build reports them, for the bench's header and the README's security notes.
 */
public final class ImageDecoders {
    private static final Pattern CODEC = Pattern.compile("^\\s*(JPEG|PNG|WEBP|TIFF|ZLib):\\s*(.*)$", Pattern.MULTILINE);

    private ImageDecoders() {
    }

    /** One line: each format and what decodes it, e.g. {@code JPEG: libjpeg-turbo 2.1.2-62 (OpenCV 4.5.5); ...}. */
    public static String describe() {
        List<String> parts = new ArrayList<>();
        String info = opencv_core.getBuildInformation().getString();
        String opencv = "OpenCV " + opencv_core.CV_VERSION();
        for (Matcher m = CODEC.matcher(info); m.find(); ) {
            String codec = m.group(1);
            // "build-libjpeg-turbo (ver 2.1.2-62)" -> "libjpeg-turbo 2.1.2-62", "build (ver 1.6.37)" -> "1.6.37"
            String build = m.group(2).strip().replaceFirst("^build-?\\s*", "").replace("(ver ", "").replace(")", "").strip();
            switch (codec) {
                case "JPEG" -> parts.add("JPEG: " + build + " (in " + opencv + ")");
                case "PNG" -> parts.add("PNG: libpng " + build + " (in " + opencv + ")");
                case "WEBP" -> parts.add("WebP, simple lossy: libwebp, " + build + " (in " + opencv + ")");
                case "ZLib" -> parts.add("zlib " + build);
                default -> { } // TIFF: OpenCV's libtiff is never used, see below
            }
        }
        parts.add("BMP: " + opencv + "'s own reader");
        parts.add("WebP, lossless or extended: TwelveMonkeys " + twelveMonkeysVersion() + " (Java)");
        parts.add("TIFF, GIF: the JDK's ImageIO (Java " + System.getProperty("java.specification.version") + ")");
        return String.join("; ", parts);
    }

    private static String twelveMonkeysVersion() {
        String version = com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi.class.getPackage().getImplementationVersion();
        return version == null ? "(version unknown)" : version;
    }
}
