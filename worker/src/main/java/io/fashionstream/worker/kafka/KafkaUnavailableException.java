package io.fashionstream.worker.kafka;

/** The cluster cannot be reached, refuses us, or lacks a topic the worker needs. */
public class KafkaUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
