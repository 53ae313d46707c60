package io.fashionstream.worker.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.Prediction;

import java.util.List;

/**
 * The value of a result record on the results topic (see DESIGN.md, "Result record").
 * {@code truth} and {@code correct} are present only when the input carried a {@code label} header.
 * Its JSON Schema is {@code schemas/result.v1.json}.
 *
 * @param id         the input record's key, or null
 * @param label      predicted class index
 * @param className  predicted class name (JSON {@code class})
 * @param top        the k best classes with their scores, best first
 * @param review     whether the answer also went to the review topic (its confidence was under the threshold)
 * @param latencyMs  input record timestamp to result produced
 * @param fetched    for an image by reference: what was fetched (null otherwise)
 * @param release    the release that answered: {@code <model>-<12 hex digits of its ONNX SHA-256>}
 * @param role       its role then: {@code primary} or {@code canary}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClassificationResult(
        @JsonInclude(JsonInclude.Include.ALWAYS) String id,
        int label,
        @JsonProperty("class") String className,
        float confidence,
        float[] scores,
        List<RankedClass> top,
        boolean review,
        String model,
        String modelVersion,
        int partition,
        long offset,
        int batchSize,
        double latencyMs,
        Integer truth,
        Boolean correct,
        FetchedImage fetched,
        String release,
        String role) {
    /** What a result records of the fetch of an image by reference: a changed object shows as another SHA-256. */
    public record FetchedImage(String url, int bytes, String sha256) {
    }

    /** Schema version of this record's JSON, as published in {@code schemas/}. */
    public static final int SCHEMA_VERSION = 1;
    private static final ObjectWriter WRITER = OneLineJson.writerFor(ClassificationResult.class);

    /** Builds a result from a prediction and where its input came from. */
    public static ClassificationResult of(String id, Prediction prediction, int topK, boolean review, String model,
                                          String modelVersion, int partition, long offset, int batchSize,
                                          double latencyMs, FashionClass truth) {
        return new ClassificationResult(id, prediction.label(), prediction.fashionClass().displayName(),
                prediction.confidence(), prediction.scores(), RankedClass.top(prediction.scores(), topK), review,
                model, modelVersion, partition, offset, batchSize,
                latencyMs, truth == null ? null : truth.ordinal(),
                truth == null ? null : truth.ordinal() == prediction.label(), null, null, null);
    }

    /** This result of an image by reference, with what was fetched. */
    public ClassificationResult withFetched(FetchedImage image) {
        return new ClassificationResult(id, label, className, confidence, scores, top, review, model, modelVersion,
                partition, offset, batchSize, latencyMs, truth, correct, image, release, role);
    }

    /** This result, naming the release that answered and its role. */
    public ClassificationResult withRelease(String releaseId, String releaseRole) {
        return new ClassificationResult(id, label, className, confidence, scores, top, review, model, modelVersion,
                partition, offset, batchSize, latencyMs, truth, correct, fetched, releaseId, releaseRole);
    }

    /** The schema version, written into every result. */
    @JsonProperty("schema")
    public int schema() {
        return SCHEMA_VERSION;
    }

    /** UTF-8 JSON, the bytes written to the results topic. */
    public byte[] toJsonBytes() {
        return OneLineJson.write(WRITER, this);
    }
}
