package io.fashionstream.worker.records;

/** An input's {@code label} header is present but is neither a class index 0-9 nor a class name. */
public class InvalidLabelException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidLabelException(String message) {
        super(message);
    }
}
