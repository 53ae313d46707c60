package io.fashionstream.core.data;

import java.io.IOException;

/** An IDX file that is truncated, corrupt, or does not match its companion file. */
public class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }
}
