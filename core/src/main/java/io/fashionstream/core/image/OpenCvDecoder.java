package io.fashionstream.core.image;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * Decodes JPEG, PNG and BMP with OpenCV's codecs (libjpeg-turbo, libpng, OpenCV's own BMP
 * reader), native and thread-safe; WebP and TIFF go to {@link ImageIoDecoder} instead. A JPEG is decoded straight to gray and, when large, scaled
 * down inside the decoder (libjpeg-turbo's DCT-domain scaling by 1/2, 1/4 or 1/8), which skips
 * most of the work of a full-size colour decode; EXIF orientation is applied, CMYK converted
 * with Adobe's inverted convention. Other images without transparency are decoded straight to
 * 8-bit gray too; those with it are decoded as stored, so that alpha is composited over white
 * here (16 bits narrowed to 8).
 */
final class OpenCvDecoder {
    /** Pixels converted per slice of a row. */
    private static final int SLICE_PIXELS = 4096;
    /** The least a reduced JPEG keeps on its longer edge: as {@link ImagePreprocessor#MIN_DECODED_EDGE}. */
    private final int minEdge;

    OpenCvDecoder(int minEdge) {
        this.minEdge = minEdge;
    }

    /**
     * Decodes {@code value}, whose header was read as {@code header}; null when the codec gives up.
     * An image larger than its header declared (the decoder read another header than
     * {@link ImageHeader} did) is refused.
     */
    GrayImage decode(byte[] value, ImageHeader header) throws InvalidImageException {
        int flags = header.format() == ImageFormat.JPEG ? jpegFlags(Math.max(header.width(), header.height()))
                : header.alpha() ? IMREAD_UNCHANGED : IMREAD_GRAYSCALE;
        try (BytePointer data = new BytePointer(value);
             Mat encoded = new Mat(1, value.length, CV_8UC1, data);
             Mat image = imdecode(encoded, flags)) {
            if (image == null || image.empty()) {
                return null;
            }
            header.requireDecodedSize(image.cols(), image.rows(), scale(flags));
            return toGray(image);
        }
    }

    private static int scale(int flags) {
        return switch (flags) {
            case IMREAD_REDUCED_GRAYSCALE_2 -> 2;
            case IMREAD_REDUCED_GRAYSCALE_4 -> 4;
            case IMREAD_REDUCED_GRAYSCALE_8 -> 8;
            default -> 1;
        };
    }

    /** Gray, scaled by the largest power of two down to 1/8 that keeps {@link #minEdge} on the longer edge. */
    int jpegFlags(int longerEdge) {
        if (longerEdge >= 8 * minEdge) {
            return IMREAD_REDUCED_GRAYSCALE_8;
        }
        if (longerEdge >= 4 * minEdge) {
            return IMREAD_REDUCED_GRAYSCALE_4;
        }
        return longerEdge >= 2 * minEdge ? IMREAD_REDUCED_GRAYSCALE_2 : IMREAD_GRAYSCALE;
    }

    /** 8-bit luminance from 1, 3 (BGR) or 4 (BGRA) channels of 8 or 16 bits. */
    private static GrayImage toGray(Mat image) {
        int w = image.cols();
        int h = image.rows();
        int channels = image.channels();
        int depth = image.depth();
        if (depth != CV_8U && depth != CV_16U) {
            throw new IllegalStateException("the decoder returned samples of OpenCV depth " + depth);
        }
        if (depth == CV_8U && channels == 1) {
            int step = (int) image.step();
            byte[] gray = new byte[w * h];
            if (step == w) {
                image.data().get(gray);
            } else {
                for (int y = 0; y < h; y++) {
                    image.data().position((long) y * step).get(gray, y * w, w);
                }
            }
            return new GrayImage(gray, w, h);
        }
        // Read in slices of a row: a 40,000,000 x 1 image must not need a second copy of itself in ints.
        byte[] gray = new byte[w * h];
        int slicePixels = Math.min(w, SLICE_PIXELS);
        int[] samples = new int[slicePixels * channels];
        byte[] bytes = depth == CV_8U ? new byte[samples.length] : null;
        short[] shorts = depth == CV_16U ? new short[samples.length] : null;
        BytePointer data = image.data();
        ShortPointer data16 = shorts == null ? null : new ShortPointer(data);
        for (int y = 0; y < h; y++) {
            for (int x0 = 0; x0 < w; x0 += slicePixels) {
                int n = Math.min(slicePixels, w - x0) * channels;
                long at = y * image.step() + (long) x0 * channels * (bytes != null ? 1 : 2);
                if (bytes != null) {
                    data.position(at).get(bytes, 0, n);
                    for (int i = 0; i < n; i++) {
                        samples[i] = bytes[i] & 0xff;
                    }
                } else {
                    data16.position(at / 2).get(shorts, 0, n);
                    for (int i = 0; i < n; i++) {
                        samples[i] = ((shorts[i] & 0xffff) * 255 + 32767) / 65535; // rounded to 8 bits
                    }
                }
                for (int i = 0, out = y * w + x0; i < n; i += channels) {
                    gray[out++] = (byte) luminance(samples, i, channels);
                }
            }
        }
        return new GrayImage(gray, w, h);
    }

    /** BT.601 luminance of one pixel, composited over white where it has alpha; rounded to 0-255. */
    static int luminance(int[] row, int at, int channels) {
        if (channels == 1) {
            return row[at];
        }
        if (channels == 2) { // gray and alpha
            return (row[at] * row[at + 1] + 255 * (255 - row[at + 1]) + 127) / 255;
        }
        int lum = (114 * row[at] + 587 * row[at + 1] + 299 * row[at + 2] + 500) / 1000; // B, G, R
        if (channels == 3) {
            return lum;
        }
        int alpha = row[at + 3];
        return (lum * alpha + 255 * (255 - alpha) + 127) / 255;
    }
}
