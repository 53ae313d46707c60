package io.fashionstream.worker.batch;

import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.image.InvalidImageException;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.worker.records.InvalidLabelException;
import io.fashionstream.worker.records.LabelHeader;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.List;

/**
 * The decode stage: reads each input's {@code label} header and decodes and preprocesses its value
 * into its own row of a preallocated buffer, or records why it cannot be classified. Ranges of one
 * batch may be decoded by different threads ({@link StagePipeline}); thread-safe.
 */
public final class DecodeStage {
    private final ImagePreprocessor preprocessor;

    public DecodeStage(ImagePreprocessor preprocessor) {
        this.preprocessor = preprocessor;
    }

    /** An undecoded batch over {@code buffer}, to decode in ranges and then {@link DecodedBatch#pack()}. */
    public DecodedBatch open(List<ConsumerRecord<byte[], byte[]>> records, float[] buffer) {
        return new DecodedBatch(records, buffer);
    }

    /** Decodes inputs {@code from} (inclusive) to {@code to} (exclusive) of {@code batch} into their own rows. */
    public void decode(DecodedBatch batch, int from, int to) {
        batch.startedDecoding();
        for (int i = from; i < to; i++) {
            ConsumerRecord<byte[], byte[]> record = batch.records().get(i);
            try {
                batch.labelled(i, LabelHeader.read(record.headers()));
                preprocessor.preprocess(record.value(), batch.pixels(), i * InferenceEngine.PIXELS);
            } catch (InvalidLabelException | InvalidImageException e) {
                batch.fail(i, e);
            }
        }
    }

    /** Decodes all of {@code records} into {@code buffer} on the calling thread, packed. */
    public DecodedBatch decodeAll(List<ConsumerRecord<byte[], byte[]>> records, float[] buffer) {
        DecodedBatch batch = open(records, buffer);
        decode(batch, 0, records.size());
        batch.pack();
        return batch;
    }
}
