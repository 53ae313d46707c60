package io.fashionstream.core.image;

/**
 * What converting one photo to the data set's convention measured ({@link FashionMnistImage}):
 * the input-health signals that show a changed studio, a broken resize step or another camera
 * before accuracy moves. {@link #NONE} for an input used as it is (784 raw pixels, a 28x28 image).
 *
 * @param backgroundLevel the background's gray level (0-255) at the image's centre, from its border
 * @param backgroundNoise the background's noise on the border, in gray levels (one standard deviation)
 * @param articleShare    the article's box as a share of the photo's area (0-1; 0 for a blank photo)
 * @param stretchGain     how much the intensities were stretched so that the brightest pixel is 255
 *                        (1: not at all, as for a blank or too faint photo)
 */
public record PhotoMeasurements(boolean photo, double backgroundLevel, double backgroundNoise, double articleShare,
                                double stretchGain) {
    /** An input that was used as it is, with no conversion to measure. */
    public static final PhotoMeasurements NONE = new PhotoMeasurements(false, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    static PhotoMeasurements of(double backgroundLevel, double backgroundNoise, double articleShare, double stretchGain) {
        return new PhotoMeasurements(true, backgroundLevel, backgroundNoise, articleShare, stretchGain);
    }
}
