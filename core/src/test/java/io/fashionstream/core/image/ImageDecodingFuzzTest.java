package io.fashionstream.core.image;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the whole bytes-to-tensor path a record goes through (header, decoders, conversion):
 * whatever the bytes, 784 values in [0, 1] or an {@link InvalidImageException}. Native decoders
 * are fuzzed blind (Jazzer instruments only Java), so the default test run replays the seed
 * corpus ({@code ImageDecodingFuzzTestInputs}) and whatever findings were added to it, while
 * {@code bench/fuzz/run.sh} fuzzes it for longer.
 */
class ImageDecodingFuzzTest {
    /** Small limits, so that the fuzzer spends its time on structure rather than on large images. */
    private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(new ImageLimits(1 << 20, 1 << 20));

    @FuzzTest(maxDuration = "5m")
    void bytesBecomeAnInputOrARefusal(byte[] data) {
        float[] input = new float[FashionMnistImage.PIXELS];
        try {
            PREPROCESSOR.preprocess(data, input, 0);
        } catch (InvalidImageException refused) {
            return;
        }
        for (float v : input) {
            if (!(v >= 0 && v <= 1)) {
                throw new AssertionError("a pixel of " + v);
            }
        }
    }
}
