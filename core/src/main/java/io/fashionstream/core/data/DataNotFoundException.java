package io.fashionstream.core.data;

import java.io.IOException;

/** A data split is in none of the places it is looked up; the message says how to get it. */
public class DataNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    public DataNotFoundException(String message) {
        super(message);
    }
}
