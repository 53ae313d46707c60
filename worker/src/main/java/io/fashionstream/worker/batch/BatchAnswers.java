package io.fashionstream.worker.batch;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;

/**
 * What one micro-batch produced: an answer per input, in input order, and how long its stages took.
 *
 * @param decodeNanos    time to decode and preprocess the batch
 * @param inferenceNanos time of the primary's forward pass (0 when nothing was classifiable)
 * @param passes         each live release's forward pass over the batch
 * @param answerNanos    time to build the answers (results, review records, dead letters)
 */
public record BatchAnswers(List<Answer> answers, int classifiedCount, long decodeNanos, long inferenceNanos,
                           List<ReleasePass> passes, long answerNanos) {
    /** Time from the batch's start to its answers: decoding, every release's forward pass, building the answers. */
    public long stageNanos() {
        long passesNanos = passes.stream().mapToLong(ReleasePass::nanos).sum();
        return decodeNanos + Math.max(inferenceNanos, passesNanos) + answerNanos;
    }

    /** The records to publish, in input order: one per input, and its review record after it if it has one. */
    public List<ProducerRecord<byte[], byte[]>> records() {
        return answers.stream().flatMap(a -> a.outputs().stream()).toList();
    }
}
