package io.fashionstream.trainer;

import io.fashionstream.core.photo.PhotoVariation;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingDataTest {
    /** The weights are keyed by variation name: a renamed variation would silently drop to one draw. */
    @Test
    void theMixDrawsTexturedThreeTimesThumbnailsTwiceAndEveryOtherVariationOnceAtMostSixTimesUp() {
        Map<String, Long> draws = TrainingData.VARIATIONS.stream()
                .collect(Collectors.groupingBy(PhotoVariation::name, Collectors.counting()));
        assertEquals(PhotoVariation.standard().size(), draws.size(), "every variation of the photo evaluation");
        assertEquals(3L, draws.get("textured"));
        assertEquals(2L, draws.get("scale-2x"));
        assertEquals(PhotoVariation.standard().size() + 3, TrainingData.VARIATIONS.size(), "the others once each");
        TrainingData.VARIATIONS.forEach(v -> assertTrue(v.minScale() <= 3 && v.maxScale() <= 6, v.name()));
    }
}
