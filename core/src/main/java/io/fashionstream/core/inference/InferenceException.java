package io.fashionstream.core.inference;

/** A forward pass failed; wraps whatever ND4J threw. */
public class InferenceException extends Exception {
    private static final long serialVersionUID = 1L;

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
