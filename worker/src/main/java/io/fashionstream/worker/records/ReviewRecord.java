package io.fashionstream.worker.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectWriter;

import java.util.List;

/**
 * The value of a review record (docs/design.md, "Review record"): an answer the model was not sure
 * of, for a person to label, with where its input lies so that the image can be fetched again.
 *
 * @param id          the input record's key, or null
 * @param source      the input's coordinates
 * @param confidence  the answer's confidence, under {@code threshold}
 * @param threshold   the review threshold it was under
 * @param top         the best classes with their scores, best first
 * @param truth       the class the input's {@code label} header named, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReviewRecord(
        @JsonInclude(JsonInclude.Include.ALWAYS) String id,
        Source source,
        float confidence,
        double threshold,
        List<RankedClass> top,
        String model,
        String modelVersion,
        Integer truth) {
    /** Schema version of this record's JSON, as published in {@code schemas/}. */
    public static final int SCHEMA_VERSION = 1;
    private static final ObjectWriter WRITER = OneLineJson.writerFor(ReviewRecord.class);

    /** Where the input lies in Kafka. */
    public record Source(String topic, int partition, long offset) {
    }

    /** The schema version, written into every record. */
    @JsonProperty("schema")
    public int schema() {
        return SCHEMA_VERSION;
    }

    /** UTF-8 JSON, the bytes written to the review topic. */
    public byte[] toJsonBytes() {
        return OneLineJson.write(WRITER, this);
    }
}
