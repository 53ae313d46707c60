package io.fashionstream.worker.batch;

import io.fashionstream.core.inference.Prediction;
import io.fashionstream.worker.release.LiveRelease;
import io.fashionstream.worker.release.Role;

/**
 * Which release answered an input and what the others said: the primary's answer where a canary
 * answered it, the shadow's where a shadow runs. What the per-release metrics and the canary's
 * automatic rollback compare.
 *
 * @param primaryAnswer the primary's answer to an input a canary answered, else null
 * @param shadowAnswer  the shadow's answer, or null
 */
public record ServedBy(LiveRelease release, Role role, Prediction primaryAnswer, LiveRelease shadow,
                       Prediction shadowAnswer) {
}
