package io.fashionstream.worker.records;

/**
 * Kafka kept refusing to take an input's result (or its dead letter), e.g. a record over the
 * topic's size limit, so the input is dead-lettered with the Kafka error as the reason
 * ({@code publish_refused}) instead of holding up its partition.
 */
public class PublishRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public PublishRefusedException(String what, Throwable kafkaError) {
        super(what + ": " + kafkaError.getClass().getSimpleName() + ": " + kafkaError.getMessage(), kafkaError);
    }
}
