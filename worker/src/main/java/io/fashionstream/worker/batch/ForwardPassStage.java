package io.fashionstream.worker.batch;

import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.inference.Prediction;

import java.util.List;

/**
 * The forward-pass stage: one pass of the engine over a decoded batch's good rows. A pass the
 * engine fails marks every still-good input with its error, so they are dead-lettered (original
 * bytes kept) rather than retried the same failing way. Not thread-safe, like its engine: one per
 * worker thread.
 */
public final class ForwardPassStage {
    private final InferenceEngine engine;

    public ForwardPassStage(InferenceEngine engine) {
        this.engine = engine;
    }

    public ScoredBatch run(DecodedBatch batch) {
        int good = batch.goodCount();
        if (good == 0) {
            return new ScoredBatch(batch, List.of(), 0);
        }
        long start = System.nanoTime();
        List<Prediction> predictions = List.of();
        try {
            predictions = engine.batchPredict(batch.pixels(), good);
        } catch (InferenceException e) {
            batch.failRemaining(e);
        }
        return new ScoredBatch(batch, predictions, System.nanoTime() - start);
    }
}
