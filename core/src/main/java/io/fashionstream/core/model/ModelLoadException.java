package io.fashionstream.core.model;

import java.io.IOException;

/** A model file that is missing, unreadable or not a DL4J network. */
public class ModelLoadException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
