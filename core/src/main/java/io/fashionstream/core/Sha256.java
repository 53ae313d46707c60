package io.fashionstream.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as the project writes it everywhere (model files, releases, dead letters, fetched images): lowercase hex. */
public final class Sha256 {
    private Sha256() {
    }

    /** The SHA-256 of {@code bytes}, 64 lowercase hex digits. */
    public static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
