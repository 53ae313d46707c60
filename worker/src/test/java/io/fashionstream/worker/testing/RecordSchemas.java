package io.fashionstream.worker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fashionstream.core.Json;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The published JSON Schemas of the worker's records ({@code schemas/} in the repository): tests
 * check every result, review record and dead letter they read against them, so the schemas and
 * the records cannot drift apart.
 */
public enum RecordSchemas {
    RESULT("result.v1.json"),
    REVIEW("review.v1.json"),
    DEAD_LETTER_HEADERS("dead-letter-headers.v1.json"),
    RELEASE("release.v1.json"),
    ROLLOUT("rollout.v1.json");

    private final Schema schema;

    RecordSchemas(String file) {
        // the repository's schemas, seen from a module's directory
        try (InputStream in = Files.newInputStream(Path.of("..", "schemas", file))) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Throws {@link AssertionError} naming every violation unless {@code json} is valid. */
    public void check(JsonNode json) {
        List<Error> errors = schema.validate(json);
        if (!errors.isEmpty()) {
            throw new AssertionError(name() + " record violates its schema: " + errors.stream().map(Error::getMessage)
                    .toList() + " in " + json);
        }
    }

    /** Checks a result or review record's value. */
    public void check(byte[] value) {
        try {
            check(Json.MAPPER.readTree(value));
        } catch (IOException e) {
            throw new AssertionError(name() + " record is not JSON: " + e.getMessage(), e);
        }
    }

    /** Checks a dead letter's headers, as an object of name to last UTF-8 value. */
    public static void checkDeadLetter(Headers headers) {
        ObjectNode object = Json.MAPPER.createObjectNode();
        for (Header h : headers) {
            object.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        DEAD_LETTER_HEADERS.check(object);
    }
}
