package io.fashionstream.worker.testing;

import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.worker.batch.ForwardPassStage;
import io.fashionstream.worker.batch.ReviewRoute;
import io.fashionstream.worker.metrics.ReleaseMetrics;
import io.fashionstream.worker.metrics.WorkerMetrics;
import io.fashionstream.worker.release.Deployment;
import io.fashionstream.worker.release.LiveModels;
import io.fashionstream.worker.release.LiveRelease;

import java.util.Optional;

/** Releases for unit tests: a model named {@code simple}, version {@code v1}, served by a given engine. */
public final class TestReleases {
    /** The id such a release has. */
    public static final String ID = "simple-5e1f0c0ffee0";

    private TestReleases() {
    }

    /** {@code simple v1} on {@code engine}, unsure answers to {@code review}, without card or drift monitor. */
    public static LiveRelease simple(InferenceEngine engine, ReviewRoute review) {
        return new LiveRelease(ID, "simple", "v1", Optional.empty(), engine, review, null);
    }

    /** A forward-pass stage serving {@link #simple} with {@code engine} itself. */
    public static ForwardPassStage forward(InferenceEngine engine, ReviewRoute review) {
        return ForwardPassStage.serving(simple(engine, review), engine);
    }

    /** Worker meters of a process serving {@code release} alone. */
    public static WorkerMetrics metrics(LiveRelease release) {
        return new WorkerMetrics(new ReleaseMetrics(new LiveModels(Deployment.of(release))));
    }
}
