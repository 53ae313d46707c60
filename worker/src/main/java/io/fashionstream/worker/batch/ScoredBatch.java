package io.fashionstream.worker.batch;

import io.fashionstream.core.inference.Prediction;
import io.fashionstream.worker.release.Deployment;

import java.util.List;

/**
 * A decoded batch after its forward passes under one deployment: the primary's prediction per
 * packed row (none when nothing decoded, or when its pass failed and the batch marks every input
 * with that error), the canary's for the rows it answers and the shadow's for every row.
 *
 * @param canary         the canary's predictions by row (null entries for rows it does not answer), or null
 * @param shadow         the shadow's predictions by row, or null
 * @param passes         each release's pass, for metrics
 * @param inferenceNanos time of the primary's forward pass
 */
public record ScoredBatch(DecodedBatch decoded, Deployment deployment, List<Prediction> predictions,
                          Prediction[] canary, List<Prediction> shadow, List<ReleasePass> passes,
                          long inferenceNanos) {
}
