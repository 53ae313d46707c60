package io.fashionstream.core.image;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * Run in a JVM of its own by {@link OpenCvPixelLimitTest} (OpenCV reads its limit once per
 * process): builds a preprocessor with a pixel limit of {@code args[0]}, then asks OpenCV itself,
 * past the header check, to decode a 40x40 PNG (1,600 pixels); prints {@code decoded} or {@code refused}.
 */
public final class OpenCvPixelLimitProbe {
    private OpenCvPixelLimitProbe() {
    }

    public static void main(String[] args) throws Exception {
        new ImagePreprocessor(new ImageLimits(ImageLimits.DEFAULT_MAX_BYTES, Long.parseLong(args[0])));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY), "png", png);
        byte[] bytes = png.toByteArray();
        try (BytePointer data = new BytePointer(bytes);
             Mat encoded = new Mat(1, bytes.length, CV_8UC1, data);
             Mat image = imdecode(encoded, IMREAD_GRAYSCALE)) {
            System.out.println(image == null || image.empty() ? "refused" : "decoded");
        } catch (RuntimeException e) { // OpenCV's failed assertion, as JavaCPP rethrows it
            System.out.println(e.getMessage().contains("CV_IO_MAX_IMAGE_PIXELS") ? "refused" : "failed: " + e.getMessage());
        }
    }
}
