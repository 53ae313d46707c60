package io.fashionstream.worker.release;

import io.fashionstream.core.drift.Reference;
import io.fashionstream.core.inference.Precision;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.release.ReleaseGate;
import io.fashionstream.worker.batch.ReviewRoute;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.metrics.DriftMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Turns a model into a {@link LiveRelease}: a release from the topic once it passes the
 * {@link ReleaseGate}, or the model a worker was started with ({@code --model}). Each gets its
 * review route (the {@code --review-threshold} given, else its card's) and a drift monitor against
 * its card's held-out reference.
 */
public final class ReleaseLoader {
    private static final Logger log = LoggerFactory.getLogger(ReleaseLoader.class);

    private final ReleaseGate gate;
    private final String reviewTopic;
    private final Double reviewThreshold;

    /** @param reviewThreshold the threshold given on the command line, or null to take each card's */
    public ReleaseLoader(ReleaseGate gate, String reviewTopic, Double reviewThreshold) {
        this.gate = gate;
        this.reviewTopic = reviewTopic;
        this.reviewThreshold = reviewThreshold;
    }

    /** What loading a release gave: the release, live, or the gate's refusal. */
    public sealed interface Loaded permits Ready, Refused {
    }

    public record Ready(LiveRelease release, double goldenAccuracy) implements Loaded {
    }

    /** @param check the metric label of the check that refused it */
    public record Refused(String check, String reason) implements Loaded {
    }

    /** The loader of a worker: its gate tolerance, ONNX Runtime threads and largest batch, its review topic and threshold. */
    public static ReleaseLoader forConfig(WorkerConfig config) {
        return new ReleaseLoader(new ReleaseGate(config.rollout().gateTolerance(), config.effectiveIntraOpThreads(),
                        config.maxBatch()),
                config.reviewTopic(), config.reviewThreshold());
    }

    /** Gates {@code release} and, if it passes, opens it. */
    public Loaded load(ModelRelease release) {
        ReleaseGate.Verdict verdict = gate.check(release.onnx(), release.sha256(), release.card());
        if (verdict instanceof ReleaseGate.Refused refused) {
            return new Refused(refused.check().label(), refused.reason());
        }
        ReleaseGate.Passed passed = (ReleaseGate.Passed) verdict;
        Precision precision;
        try {
            precision = passed.engine().signature().precision();
        } catch (io.fashionstream.core.inference.InferenceException e) {
            precision = Precision.FP32; // the gate read the same signature a moment ago
        }
        return new Ready(live(release.id(), release.name(), release.version(), Optional.of(release.card()),
                passed.engine(), precision), passed.accuracy());
    }

    /** The model a worker was started with, as a release. */
    public LiveRelease local(ServingModel model) {
        String hash = model.onnxSha256() != null ? model.onnxSha256() : model.version();
        return live(LiveRelease.idOf(model.name(), hash), model.name(), model.version(), model.card(), model.engine(),
                model.precision());
    }

    private LiveRelease live(String id, String name, String version, Optional<ModelCard> card,
                             io.fashionstream.core.inference.InferenceEngine engine, Precision precision) {
        Optional<Reference> reference = card.map(ModelCard::reference);
        ReviewRoute review = new ReviewRoute(reviewTopic, reviewThreshold != null ? reviewThreshold
                : reference.map(Reference::reviewThreshold).orElse(0.0));
        DriftMonitor drift = reference.map(r -> new DriftMonitor(name, version, r, review.threshold(),
                System::currentTimeMillis)).orElse(null);
        log.info("{}: answers under {} confidence also go to {}{}", id, review.threshold(), reviewTopic,
                reviewThreshold != null ? "" : " (its card's threshold)");
        if (drift == null) {
            log.warn("{}'s card has no held-out reference: no drift metrics for it (fashion-trainer reference writes one)", id);
        }
        return new LiveRelease(id, name, version, card, engine, precision, review, drift);
    }
}
