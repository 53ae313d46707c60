package io.fashionstream.core.photo;

import java.util.List;

/**
 * How {@link CatalogPhotos} renders a photo: each range is drawn from uniformly per photo.
 *
 * @param minScale      least upscaling of the 28x28 image (2: 56 pixels)
 * @param maxScale      most upscaling
 * @param minMargin     least background on each side, as a share of the article's size
 * @param maxMargin     most background on each side
 * @param offCentre     how far (share of the margin, 0-1) the article may sit off the centre
 * @param minBackground darkest background shade (gray level, 0-255)
 * @param maxBackground lightest background shade
 * @param tinted        a dyed article colour and a warm, off-white paper; false: neutral gray on gray
 * @param gradient      how much darker (gray levels) the background gets from top to bottom
 * @param noise         sensor noise, standard deviation in gray levels per pixel
 * @param shadow        depth (gray levels) of a soft drop shadow below and right of the article; 0: none
 * @param quality       JPEG or WebP quality (1-100; WebP above 100: lossless)
 * @param orientation   EXIF orientation tag of a JPEG (1: upright as stored; 6 or 8: stored turned)
 */
public record PhotoVariation(String name, String description, int minScale, int maxScale, double minMargin,
                             double maxMargin, double offCentre, double minBackground, double maxBackground,
                             boolean tinted, double gradient, double noise, double shadow, Format format, int quality,
                             int orientation) {

    /** The encodings rendered. */
    public enum Format { PNG, JPEG, PROGRESSIVE_JPEG, WEBP }

    public PhotoVariation {
        if (minScale < 1 || maxScale < minScale || minMargin < 0 || maxMargin < minMargin || offCentre < 0
                || offCentre > 1 || minBackground < 0 || maxBackground > 255 || maxBackground < minBackground
                || (orientation != 1 && orientation != 6 && orientation != 8)) {
            throw new IllegalArgumentException("inconsistent photo variation " + name);
        }
    }

    /** The catalog look the issue measured: tinted article on off-white, 6-13x, off-centre, JPEG. */
    public static final PhotoVariation CATALOG = new PhotoVariation("catalog",
            "tinted article on off-white (245-255), 6-13x, off-centre, JPEG q90",
            6, 13, 0.05, 0.4, 0.8, 245, 255, true, 0, 0, 0, Format.JPEG, 90, 1);

    /** Every variation the photo evaluation reports, one property changed from {@link #CATALOG} at a time. */
    public static List<PhotoVariation> standard() {
        PhotoVariation c = CATALOG;
        return List.of(
                c,
                new PhotoVariation("studio-png", "neutral dark gray on pure white, 10x, centred, PNG",
                        10, 10, 0.1, 0.1, 0, 255, 255, false, 0, 0, 0, Format.PNG, 100, 1),
                with(c, "gray-background", "background 200-225 gray", 6, 13, c.maxMargin(), 200, 225, 0, 0, 0,
                        Format.JPEG, 90, 1),
                with(c, "textured", "background 225-250 with noise (sd 4), a 20-level gradient and a soft shadow",
                        6, 13, c.maxMargin(), 225, 250, 20, 4, 25, Format.JPEG, 90, 1),
                with(c, "scale-2x", "2-3x: a small thumbnail", 2, 3, c.maxMargin(), 245, 255, 0, 0, 0, Format.PNG, 100, 1),
                with(c, "scale-40x", "30-40x: a large product shot", 30, 40, c.maxMargin(), 245, 255, 0, 0, 0,
                        Format.JPEG, 90, 1),
                with(c, "wide-margins", "margins up to 1.5x the article, off-centre", 6, 13, 1.5, 245, 255, 0, 0, 0,
                        Format.JPEG, 90, 1),
                with(c, "jpeg-q50", "JPEG quality 50", 6, 13, c.maxMargin(), 245, 255, 0, 0, 0, Format.JPEG, 50, 1),
                with(c, "progressive", "progressive JPEG q90", 6, 13, c.maxMargin(), 245, 255, 0, 0, 0,
                        Format.PROGRESSIVE_JPEG, 90, 1),
                with(c, "webp", "lossy WebP q80", 6, 13, c.maxMargin(), 245, 255, 0, 0, 0, Format.WEBP, 80, 1),
                with(c, "exif-rotated", "JPEG stored turned, EXIF orientation 6", 6, 13, c.maxMargin(), 245, 255, 0, 0,
                        0, Format.JPEG, 90, 6));
    }

    /** The same look encoded as {@code format} at {@code quality}, upright. */
    public PhotoVariation encodedAs(Format format, int quality) {
        return new PhotoVariation(name, description, minScale, maxScale, minMargin, maxMargin, offCentre, minBackground,
                maxBackground, tinted, gradient, noise, shadow, format, quality, 1);
    }

    /** The same look with the article scaled up between {@code min} and {@code max} times. */
    public PhotoVariation withScales(int min, int max) {
        return new PhotoVariation(name, description, min, max, minMargin, maxMargin, offCentre, minBackground,
                maxBackground, tinted, gradient, noise, shadow, format, quality, orientation);
    }

    private static PhotoVariation with(PhotoVariation base, String name, String what, int minScale, int maxScale,
                                       double maxMargin, double minBackground, double maxBackground, double gradient,
                                       double noise, double shadow, Format format, int quality, int orientation) {
        return new PhotoVariation(name, what, minScale, maxScale, base.minMargin(), maxMargin, base.offCentre(),
                minBackground, maxBackground, base.tinted(), gradient, noise, shadow, format, quality, orientation);
    }
}
