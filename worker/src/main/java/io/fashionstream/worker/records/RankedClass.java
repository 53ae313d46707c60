package io.fashionstream.worker.records;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fashionstream.core.FashionClass;

import java.util.ArrayList;
import java.util.List;

/**
 * One of the best classes of an answer, as results and review records list them (the top-k,
 * as Triton's classification extension returns them).
 *
 * @param label     class index
 * @param className class name (JSON {@code class})
 * @param score     its softmax score
 */
public record RankedClass(int label, @JsonProperty("class") String className, float score) {

    /** The {@code k} highest of {@code scores}, best first; ties keep the lower index first. */
    public static List<RankedClass> top(float[] scores, int k) {
        int n = Math.min(k, scores.length);
        boolean[] taken = new boolean[scores.length];
        List<RankedClass> best = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            int pick = -1;
            for (int c = 0; c < scores.length; c++) {
                if (!taken[c] && (pick < 0 || scores[c] > scores[pick])) {
                    pick = c;
                }
            }
            taken[pick] = true;
            best.add(new RankedClass(pick, FashionClass.of(pick).displayName(), scores[pick]));
        }
        return best;
    }
}
