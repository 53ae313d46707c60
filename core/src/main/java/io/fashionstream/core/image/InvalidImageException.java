package io.fashionstream.core.image;

/** A record value that cannot be turned into a network input; {@link #reason()} says which kind. */
public class InvalidImageException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why an image was rejected; the worker labels its dead-letter metric with these. */
    public enum Reason {
        EMPTY, TOO_LARGE, TOO_MANY_PIXELS, TOO_MANY_SCANS, UNKNOWN_FORMAT, UNSUPPORTED_FORMAT, UNDECODABLE,
        /** Decoding took longer than the per-record deadline (the worker went on without it). */
        DECODE_TIMEOUT
    }

    private final Reason reason;

    public InvalidImageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public InvalidImageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
