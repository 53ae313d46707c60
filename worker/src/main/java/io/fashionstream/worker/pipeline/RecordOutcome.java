package io.fashionstream.worker.pipeline;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.Prediction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What became of one input: the record answering it (a result, or a dead letter) and either its
 * prediction or the error that sent it to the dead-letter topic.
 *
 * @param output the record to publish for it
 * @param truth  the class its {@code label} header named, or null
 */
public record RecordOutcome(ConsumerRecord<byte[], byte[]> source, ProducerRecord<byte[], byte[]> output,
                            Prediction prediction, FashionClass truth, Exception error) {
    public boolean classified() {
        return prediction != null;
    }

    /** The same input answered instead by {@code deadLetter}, because of {@code why}. */
    public RecordOutcome deadLettered(ProducerRecord<byte[], byte[]> deadLetter, Exception why) {
        return new RecordOutcome(source, deadLetter, null, truth, why);
    }
}
