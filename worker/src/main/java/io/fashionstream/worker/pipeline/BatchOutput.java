package io.fashionstream.worker.pipeline;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;

/**
 * The records to publish for one micro-batch, one per input and in input order, with what
 * became of each input.
 *
 * @param decodeNanos    time to decode and preprocess the batch
 * @param inferenceNanos time of the batch's forward pass (0 when nothing was classifiable)
 */
public record BatchOutput(List<ProducerRecord<byte[], byte[]>> records, List<RecordOutcome> outcomes,
                          int classifiedCount, long decodeNanos, long inferenceNanos) {
}
