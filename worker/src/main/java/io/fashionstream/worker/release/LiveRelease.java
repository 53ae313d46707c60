package io.fashionstream.worker.release;

import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.Precision;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.worker.batch.ReviewRoute;
import io.fashionstream.worker.metrics.DriftMonitor;

import java.util.Optional;

/**
 * A release loaded and ready to answer: what it is (id, model name, version, card), the engine
 * every worker thread takes its copy from, where its unsure answers go and its drift monitor.
 * Once retired (no longer in the deployment) its own engine is closed and it gives no new copies;
 * copies already taken stay valid until their threads close them. Thread-safe.
 *
 * @param id the release id: {@code <model>-<first 12 hex digits of the ONNX file's SHA-256>}
 */
public final class LiveRelease {
    private final String id;
    private final String name;
    private final String version;
    private final Optional<ModelCard> card;
    private final InferenceEngine engine;
    private final Precision precision;
    private final ReviewRoute review;
    private final DriftMonitor drift;
    private boolean retired;

    /** A float32 release (tests). */
    public LiveRelease(String id, String name, String version, Optional<ModelCard> card, InferenceEngine engine,
                       ReviewRoute review, DriftMonitor drift) {
        this(id, name, version, card, engine, Precision.FP32, review, drift);
    }

    /** @param drift its drift monitor, or null when its card has no held-out reference */
    public LiveRelease(String id, String name, String version, Optional<ModelCard> card, InferenceEngine engine,
                       Precision precision, ReviewRoute review, DriftMonitor drift) {
        this.precision = precision;
        this.id = id;
        this.name = name;
        this.version = version;
        this.card = card;
        this.engine = engine;
        this.review = review;
        this.drift = drift;
    }

    /** The release id of a model file: its name and the first 12 hex digits of its ONNX export's (or its own) hash. */
    public static String idOf(String name, String sha256OrVersion) {
        return name + "-" + sha256OrVersion.substring(0, Math.min(12, sha256OrVersion.length()));
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public Optional<ModelCard> card() {
        return card;
    }

    /** What it computes in: float32, or its INT8 version. */
    public Precision precision() {
        return precision;
    }

    public ReviewRoute review() {
        return review;
    }

    /** Its drift monitor, or null. */
    public DriftMonitor drift() {
        return drift;
    }

    /** The test accuracy its card records, NaN without a card. */
    public double cardAccuracy() {
        return card.map(ModelCard::testAccuracy).orElse(Double.NaN);
    }

    /** An engine over this release for one worker thread, or empty once it is retired (read the deployment again). */
    public synchronized Optional<InferenceEngine> copyEngine() {
        return retired ? Optional.empty() : Optional.of(engine.copy());
    }

    /** Takes it out of service: its own engine closes, copies in use stay valid. */
    public synchronized void retire() {
        if (!retired) {
            retired = true;
            engine.close();
        }
    }

    public synchronized boolean retired() {
        return retired;
    }

    @Override
    public String toString() {
        return id;
    }
}
