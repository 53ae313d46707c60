package io.fashionstream.worker.batch;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.Prediction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What answers one input: the record to publish for it (a result, or a dead letter) and either
 * its prediction or the error that sent it to the dead-letter topic. Built only by the
 * {@link AnswerStage}.
 *
 * @param output the record to publish for it
 * @param truth  the class its {@code label} header named, or null
 */
public record Answer(ConsumerRecord<byte[], byte[]> source, ProducerRecord<byte[], byte[]> output,
                     Prediction prediction, FashionClass truth, Exception error) {
    public boolean classified() {
        return prediction != null;
    }
}
