package io.fashionstream.worker.kafka;

/** A worker thread cannot go on (fenced by a newer instance, not authorised, ...): it shuts down. */
public class FatalWorkerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FatalWorkerException(String message, Throwable cause) {
        super(message, cause);
    }
}
