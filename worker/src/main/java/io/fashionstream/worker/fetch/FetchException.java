package io.fashionstream.worker.fetch;

import java.util.Locale;

/** Why an image by reference was not fetched; its reason is the dead letter's and the metric's. */
public final class FetchException extends Exception {
    /** The dead-letter reasons of fetching. */
    public enum Reason {
        /** The URL, a redirect or an address the name resolves to is not allowed. */
        FETCH_FORBIDDEN,
        /** The server answered with an error, or the connection failed for another reason. */
        FETCH_FAILED,
        /** No whole answer within the fetch's deadline. */
        FETCH_TIMEOUT,
        /** The image is over {@code --max-image-bytes}. */
        FETCH_TOO_LARGE;

        /** The reason as dead letters and metrics spell it: {@code fetch_forbidden}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public FetchException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public FetchException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    static FetchException forbidden(String why) {
        return new FetchException(Reason.FETCH_FORBIDDEN, why);
    }

    public Reason reason() {
        return reason;
    }
}
