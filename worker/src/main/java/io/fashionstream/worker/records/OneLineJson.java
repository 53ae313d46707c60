package io.fashionstream.worker.records;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fashionstream.core.Json;

/** How the worker writes a record value: one line of UTF-8 JSON, shortest round-trip floats (Schubfach). */
final class OneLineJson {
    private OneLineJson() {
    }

    static ObjectWriter writerFor(Class<?> type) {
        return Json.MAPPER.writerFor(type)
                .without(SerializationFeature.INDENT_OUTPUT)
                .with(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());
    }

    static byte[] write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
