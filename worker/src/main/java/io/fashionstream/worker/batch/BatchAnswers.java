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
    /** The records to publish, one per input, in input order. */
    public List<ProducerRecord<byte[], byte[]>> records() {
        return answers.stream().map(Answer::output).toList();
    }
}
