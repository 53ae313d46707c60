package io.fashionstream.worker.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fashionstream.core.FashionClass;
import io.fashionstream.core.Json;
import io.fashionstream.core.inference.Prediction;

/**
 * The value of a result record on the results topic (see DESIGN.md, "Result record").
 * {@code truth} and {@code correct} are present only when the input carried a {@code label} header.
 *
 * @param id         the input record's key, or null
 * @param label      predicted class index
 * @param className  predicted class name (JSON {@code class})
 * @param latencyMs  input record timestamp to result produced
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClassificationResult(
        @JsonInclude(JsonInclude.Include.ALWAYS) String id,
        int label,
        @JsonProperty("class") String className,
        float confidence,
        float[] scores,
        String model,
        String modelVersion,
        int partition,
        long offset,
        int batchSize,
        double latencyMs,
        Integer truth,
        Boolean correct) {
    // One line, written straight to bytes; shortest-round-trip float printing (Schubfach) for the scores.
    private static final ObjectWriter WRITER = Json.MAPPER.writerFor(ClassificationResult.class)
            .without(SerializationFeature.INDENT_OUTPUT)
            .with(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());

    /** Builds a result from a prediction and where its input came from. */
    public static ClassificationResult of(String id, Prediction prediction, String model, String modelVersion,
                                          int partition, long offset, int batchSize, double latencyMs,
                                          FashionClass truth) {
        return new ClassificationResult(id, prediction.label(), prediction.fashionClass().displayName(),
                prediction.confidence(), prediction.scores(), model, modelVersion, partition, offset, batchSize,
                latencyMs, truth == null ? null : truth.ordinal(),
                truth == null ? null : truth.ordinal() == prediction.label());
    }

    /** UTF-8 JSON, the bytes written to the results topic. */
    public byte[] toJsonBytes() {
        try {
            return WRITER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a result as JSON", e);
        }
    }
}
