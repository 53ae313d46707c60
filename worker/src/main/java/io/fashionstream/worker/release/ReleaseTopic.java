package io.fashionstream.worker.release;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.fashionstream.core.Json;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.util.Optional;

/**
 * The release topic's records: {@code release/<id>} keys carry a {@link ModelRelease},
 * {@code rollout/<id>} keys a {@link Rollout}, both as JSON. One partition, so every worker reads
 * them in one order; compacted, so a release published twice is kept once; records up to
 * {@link #MAX_RECORD_BYTES}, room for a model of about 24 MB in base64.
 */
public final class ReleaseTopic {
    /** The default topic name, beside the catalog topics. */
    public static final String DEFAULT_NAME = "catalog-models";
    /** The largest release record the topic and the publishing producer take: 32 MiB. */
    public static final int MAX_RECORD_BYTES = 32 * 1024 * 1024;
    static final String RELEASE_PREFIX = "release/";
    static final String ROLLOUT_PREFIX = "rollout/";

    private ReleaseTopic() {
    }

    /** One record read from the topic: a release (without its bytes) at an offset, or a rollout. */
    public sealed interface Entry permits ReleaseEntry, RolloutEntry {
    }

    /** A release and where it lies in the topic (its bytes are read again from there when needed). */
    public record ReleaseEntry(long offset, ModelRelease release) implements Entry {
    }

    public record RolloutEntry(long offset, Rollout rollout) implements Entry {
    }

    static ProducerRecord<String, byte[]> record(String topic, ModelRelease release) {
        return new ProducerRecord<>(topic, RELEASE_PREFIX + release.id(), json(release));
    }

    static ProducerRecord<String, byte[]> record(String topic, Rollout rollout) {
        return new ProducerRecord<>(topic, ROLLOUT_PREFIX + rollout.id(), json(rollout));
    }

    /**
     * What a record of the topic is; empty for a tombstone or a key of neither kind.
     *
     * @throws IOException when its value is not the JSON its key says
     */
    static Optional<Entry> read(ConsumerRecord<String, byte[]> record, boolean withBytes) throws IOException {
        String key = record.key();
        if (key == null || record.value() == null) {
            return Optional.empty();
        }
        if (key.startsWith(RELEASE_PREFIX)) {
            ModelRelease release = Json.MAPPER.readValue(record.value(), ModelRelease.class);
            if (!key.equals(RELEASE_PREFIX + release.id()) || release.sha256() == null || release.name() == null) {
                throw new IOException("a release record under key " + key + " names release " + release.id());
            }
            return Optional.of(new ReleaseEntry(record.offset(), withBytes ? release : release.withoutBytes()));
        }
        if (key.startsWith(ROLLOUT_PREFIX)) {
            Rollout rollout = Json.MAPPER.readValue(record.value(), Rollout.class);
            if (rollout.primary() == null) {
                throw new IOException("rollout " + key + " names no primary");
            }
            return Optional.of(new RolloutEntry(record.offset(), rollout));
        }
        return Optional.empty();
    }

    private static byte[] json(Object value) {
        try {
            return Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
