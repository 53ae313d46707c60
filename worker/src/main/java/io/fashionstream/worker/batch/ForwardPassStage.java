package io.fashionstream.worker.batch;

import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.worker.release.Deployment;
import io.fashionstream.worker.release.LiveModels;
import io.fashionstream.worker.release.LiveRelease;
import io.fashionstream.worker.release.Role;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The forward-pass stage: reads the live {@link Deployment} once per batch, so a new release takes
 * over between batches, never inside one. The primary runs on every good row; a canary, when there
 * is one, on the rows of its share (packed into a buffer of their own), and answers them; a shadow
 * on every good row, for comparison only. A pass the primary fails marks every still-good input
 * with its error, so they are dead-lettered (original bytes kept) rather than retried the same
 * failing way; a canary's or shadow's failure leaves the primary's answers in place. Holds its own
 * engine for each live release ({@link LiveRelease#copyEngine()}), taken when a deployment
 * arrives and closed when it leaves. Not thread-safe, like its engines: one per worker thread.
 */
public final class ForwardPassStage implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ForwardPassStage.class);

    private final LiveModels models;
    private final Map<LiveRelease, InferenceEngine> engines = new HashMap<>();
    /** The deployment {@link #engines} are for. */
    private Deployment seen;
    private float[] canaryPixels = new float[0];

    public ForwardPassStage(LiveModels models) {
        this.models = models;
    }

    /** A stage serving {@code release} with {@code engine} itself rather than a copy of it (tests, benches). */
    public static ForwardPassStage serving(LiveRelease release, InferenceEngine engine) {
        Deployment only = Deployment.of(release);
        ForwardPassStage stage = new ForwardPassStage(new LiveModels(only));
        stage.engines.put(release, engine);
        stage.seen = only;
        return stage;
    }

    public ScoredBatch run(DecodedBatch batch) {
        Deployment deployment = enginesForCurrent();
        int good = batch.goodCount();
        if (good == 0) {
            return new ScoredBatch(batch, deployment, List.of(), null, null, List.of(), 0);
        }
        long start = System.nanoTime();
        List<ReleasePass> passes = new ArrayList<>(3);
        List<Prediction> primary;
        try {
            primary = engines.get(deployment.primary()).batchPredict(batch.pixels(), good);
        } catch (InferenceException e) {
            batch.failRemaining(e);
            return new ScoredBatch(batch, deployment, List.of(), null, null, List.of(), System.nanoTime() - start);
        }
        long primaryEnd = System.nanoTime();
        passes.add(new ReleasePass(deployment.primary(), Role.PRIMARY, good, primaryEnd - start));
        Prediction[] canary = deployment.canary() == null ? null : canary(batch, deployment, passes);
        List<Prediction> shadow = deployment.shadow() == null ? null : shadow(batch, deployment, good, passes);
        return new ScoredBatch(batch, deployment, primary, canary, shadow, passes, primaryEnd - start);
    }

    /** The canary's answers by row, for the rows in its share (null elsewhere); null when its pass failed. */
    private Prediction[] canary(DecodedBatch batch, Deployment deployment, List<ReleasePass> passes) {
        int[] rows = new int[batch.goodCount()];
        int count = 0;
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = batch.records().get(i);
            if (batch.error(i) == null && deployment.toCanary(record)) {
                rows[count++] = batch.row(i);
            }
        }
        if (count == 0) {
            return null;
        }
        int pixels = InferenceEngine.PIXELS;
        if (canaryPixels.length < count * pixels) {
            canaryPixels = new float[batch.pixels().length];
        }
        for (int k = 0; k < count; k++) {
            System.arraycopy(batch.pixels(), rows[k] * pixels, canaryPixels, k * pixels, pixels);
        }
        long start = System.nanoTime();
        try {
            List<Prediction> answers = engines.get(deployment.canary()).batchPredict(canaryPixels, count);
            passes.add(new ReleasePass(deployment.canary(), Role.CANARY, count, System.nanoTime() - start));
            Prediction[] byRow = new Prediction[batch.goodCount()];
            for (int k = 0; k < count; k++) {
                byRow[rows[k]] = answers.get(k);
            }
            return byRow;
        } catch (InferenceException e) {
            log.warn("canary {} failed a forward pass ({}); the primary answers its share of this batch",
                    deployment.canary().id(), e.getMessage());
            return null;
        }
    }

    private List<Prediction> shadow(DecodedBatch batch, Deployment deployment, int good, List<ReleasePass> passes) {
        long start = System.nanoTime();
        try {
            List<Prediction> answers = engines.get(deployment.shadow()).batchPredict(batch.pixels(), good);
            passes.add(new ReleasePass(deployment.shadow(), Role.SHADOW, good, System.nanoTime() - start));
            return answers;
        } catch (InferenceException e) {
            log.warn("shadow {} failed a forward pass: {}", deployment.shadow().id(), e.getMessage());
            return null;
        }
    }

    /**
     * The live deployment, with an engine for each of its releases: new releases' engines are taken,
     * those of releases that left are closed. A release retired between the read and the copy means a
     * newer deployment is in place: read again.
     */
    private Deployment enginesForCurrent() {
        while (true) {
            Deployment now = models.current();
            if (now == seen) {
                return now;
            }
            if (!takeEngines(now)) {
                if (models.current() == now) {
                    throw new IllegalStateException("the live deployment holds a retired release: " + now.describe());
                }
                continue; // a newer deployment replaced it meanwhile
            }
            engines.entrySet().removeIf(e -> {
                if (now.releases().contains(e.getKey())) {
                    return false;
                }
                e.getValue().close();
                return true;
            });
            seen = now;
            return now;
        }
    }

    private boolean takeEngines(Deployment deployment) {
        for (LiveRelease release : deployment.releases()) {
            if (!engines.containsKey(release)) {
                Optional<InferenceEngine> copy = release.copyEngine();
                if (copy.isEmpty()) {
                    return false;
                }
                engines.put(release, copy.get());
            }
        }
        return true;
    }

    /** Closes this thread's engines; call once its batches are done. */
    @Override
    public void close() {
        engines.values().forEach(InferenceEngine::close);
        engines.clear();
        seen = null;
    }
}
