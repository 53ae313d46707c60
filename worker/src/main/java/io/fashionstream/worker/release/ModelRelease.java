package io.fashionstream.worker.release;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.Sha256;

import java.time.Instant;

/**
 * A model release as the release topic carries it: the ONNX bytes, the model card, the SHA-256
 * the bytes must hash to, and who published it when. Its value is this record as JSON (the bytes
 * in base64), schema {@code schemas/release.v1.json}; its key is {@code release/<id>}, so
 * compaction keeps one copy of each release and every release stays available for a rollback.
 *
 * @param id   {@code <name>-<first 12 hex digits of sha256>}
 * @param onnx the model file; null in a release listed without its bytes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelRelease(int schema, String id, String name, String version, String sha256, ModelCard card,
                           String publishedAt, String publishedBy, byte[] onnx) {
    public static final int SCHEMA_VERSION = 1;

    /** A release of {@code onnx} under {@code name} with its card, published now by {@code by}. */
    public static ModelRelease of(String name, ModelCard card, byte[] onnx, Instant at, String by) {
        String sha256 = Sha256.hex(onnx);
        return new ModelRelease(SCHEMA_VERSION, LiveRelease.idOf(name, sha256), name,
                card == null ? sha256.substring(0, 12) : card.version(), sha256, card, at.toString(), by, onnx);
    }

    /** This release without its bytes: what a listing keeps. */
    public ModelRelease withoutBytes() {
        return new ModelRelease(schema, id, name, version, sha256, card, publishedAt, publishedBy, null);
    }

    /** This release with {@code bytes} in place of its own (tests of the gate publish such). */
    public ModelRelease withBytes(byte[] bytes) {
        return new ModelRelease(schema, id, name, version, sha256, card, publishedAt, publishedBy, bytes);
    }
}
