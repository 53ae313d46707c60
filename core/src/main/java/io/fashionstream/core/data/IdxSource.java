package io.fashionstream.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Where one IDX file's bytes come from: a file on disk or a resource shipped on the classpath. */
public record IdxSource(String name, Opener opener) {

    /** Opens a fresh stream over the file's raw (possibly gzipped) bytes. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    public static IdxSource of(Path path) {
        return new IdxSource(path.toString(), () -> {
            if (!Files.isRegularFile(path)) {
                throw new IdxFormatException(path + " does not exist or is not a file");
            }
            return Files.newInputStream(path);
        });
    }

    /** A resource on this class loader, e.g. {@code fashion-mnist/t10k-labels-idx1-ubyte.gz}. */
    public static IdxSource resource(String resourcePath) {
        return new IdxSource("classpath:" + resourcePath, () -> {
            InputStream in = IdxSource.class.getClassLoader().getResourceAsStream(resourcePath);
            if (in == null) {
                throw new IdxFormatException("resource " + resourcePath + " is not on the classpath");
            }
            return in;
        });
    }

    /** SHA-256 of the raw bytes, as recorded in model cards. */
    public String sha256() throws IOException {
        try (InputStream in = opener.open()) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JRE", e);
        }
    }

    /** The last path element, for messages. */
    public String fileName() {
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        return slash < 0 ? name : name.substring(slash + 1);
    }
}
