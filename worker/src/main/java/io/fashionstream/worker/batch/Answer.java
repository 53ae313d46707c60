package io.fashionstream.worker.batch;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.image.PhotoMeasurements;
import io.fashionstream.core.inference.Prediction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;

/**
 * What answers one input: the record to publish for it (a result, or a dead letter), a review
 * record when the answer was not sure enough, and either its prediction or the error that sent it
 * to the dead-letter topic. Built only by the {@link AnswerStage}.
 *
 * @param output   the record to publish for it
 * @param review   the record for the review topic, published with it, or null
 * @param truth    the class its {@code label} header named, or null
 * @param measured what converting its photo measured ({@link PhotoMeasurements#NONE} for raw pixels or a dead letter)
 * @param served   the release that answered it and what the others said (null for a dead letter)
 */
public record Answer(ConsumerRecord<byte[], byte[]> source, ProducerRecord<byte[], byte[]> output,
                     ProducerRecord<byte[], byte[]> review, Prediction prediction, FashionClass truth,
                     PhotoMeasurements measured, Exception error, ServedBy served) {

    /** An answer that is one record, with nothing measured: a dead letter, or a result in tests. */
    public Answer(ConsumerRecord<byte[], byte[]> source, ProducerRecord<byte[], byte[]> output, Prediction prediction,
                  FashionClass truth, Exception error) {
        this(source, output, null, prediction, truth, PhotoMeasurements.NONE, error, null);
    }

    public boolean classified() {
        return prediction != null;
    }

    /** The records to publish for it, in order: the result or dead letter, then any review record. */
    public List<ProducerRecord<byte[], byte[]>> outputs() {
        return review == null ? List.of(output) : List.of(output, review);
    }
}
