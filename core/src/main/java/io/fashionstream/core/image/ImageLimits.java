package io.fashionstream.core.image;

/**
 * Limits checked before an image is decoded, so one hostile record cannot exhaust a worker.
 *
 * @param maxBytes  largest accepted record value
 * @param maxPixels largest accepted width x height, read from the image header before decoding
 */
public record ImageLimits(int maxBytes, long maxPixels) {
    public static final int DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    public static final ImageLimits DEFAULTS = new ImageLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);

    public ImageLimits {
        if (maxBytes < FashionMnistImage.PIXELS) {
            throw new IllegalArgumentException("max image bytes must be at least " + FashionMnistImage.PIXELS + ", not " + maxBytes);
        }
        if (maxPixels < FashionMnistImage.PIXELS) {
            throw new IllegalArgumentException("max image pixels must be at least " + FashionMnistImage.PIXELS + ", not " + maxPixels);
        }
    }
}
