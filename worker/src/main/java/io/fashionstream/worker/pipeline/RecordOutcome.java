package io.fashionstream.worker.pipeline;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.Prediction;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What became of one input: a prediction, or the error that sent it to the dead-letter topic.
 *
 * @param truth the class its {@code label} header named, or null
 */
public record RecordOutcome(ConsumerRecord<byte[], byte[]> source, Prediction prediction, FashionClass truth,
                            Exception error) {
    public boolean classified() {
        return prediction != null;
    }
}
