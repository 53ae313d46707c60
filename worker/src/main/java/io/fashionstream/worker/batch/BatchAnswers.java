package io.fashionstream.worker.batch;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;

/**
 * What one micro-batch produced: an answer per input, in input order, and how long its stages took.
 *
 * @param decodeNanos    time to decode and preprocess the batch
 * @param inferenceNanos time of the batch's forward pass (0 when nothing was classifiable)
 */
public record BatchAnswers(List<Answer> answers, int classifiedCount, long decodeNanos, long inferenceNanos) {
    /** The records to publish, in input order: one per input, and its review record after it if it has one. */
    public List<ProducerRecord<byte[], byte[]>> records() {
        return answers.stream().flatMap(a -> a.outputs().stream()).toList();
    }
}
