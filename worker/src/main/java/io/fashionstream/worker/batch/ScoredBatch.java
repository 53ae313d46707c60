package io.fashionstream.worker.batch;

import io.fashionstream.core.inference.Prediction;

import java.util.List;

/**
 * A decoded batch after its forward pass: a prediction per packed row of the batch (none when
 * nothing decoded, or when the pass failed and the batch marks every input with that error).
 *
 * @param inferenceNanos time of the forward pass
 */
public record ScoredBatch(DecodedBatch decoded, List<Prediction> predictions, long inferenceNanos) {
}
