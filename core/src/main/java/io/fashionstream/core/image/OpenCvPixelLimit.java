package io.fashionstream.core.image;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.systems.global.linux;

/**
 * OpenCV's own limit on the pixels of an image it decodes ({@code OPENCV_IO_MAX_IMAGE_PIXELS}),
 * set to the worker's {@code --max-image-pixels} however the process was launched. OpenCV reads
 * the variable once, when its image codecs load, so this must run before the first decode: the
 * {@link ImagePreprocessor} calls it when it is built. The first limit of a process stands; one
 * already in the environment is kept when it is lower. A second guard: {@link ImageHeader} refuses
 * such an image before any decoder sees it.
 */
final class OpenCvPixelLimit {
    static final String VARIABLE = "OPENCV_IO_MAX_IMAGE_PIXELS";
    private static long applied = -1;

    private OpenCvPixelLimit() {
    }

    /** Sets the variable to {@code maxPixels} unless a lower value is set; returns the limit in force. */
    static synchronized long apply(long maxPixels) {
        if (applied >= 0) {
            return applied;
        }
        long current = parse(System.getenv(VARIABLE));
        applied = current > 0 && current <= maxPixels ? current : maxPixels;
        if (applied != current) {
            Loader.load(linux.class);
            linux.setenv(VARIABLE, Long.toString(applied), 1);
        }
        return applied;
    }

    private static long parse(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
