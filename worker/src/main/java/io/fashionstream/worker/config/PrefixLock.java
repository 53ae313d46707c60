package io.fashionstream.worker.config;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps two live worker processes on one host from sharing a transactional-id prefix, where each
 * would fence the other in turn, while a restarted process still gets its predecessor's prefix
 * and so fences what that one left open. A process holds an operating-system lock on a file named
 * after its prefix for as long as it lives; the lock goes with the process, however it ends.
 * With the default prefix, a second process on the host takes the next free one
 * ({@code fashion-worker-<host>-1}, ...); a prefix given explicitly that a live process holds is
 * refused. Processes on different hosts (or pods) have different defaults already.
 */
public final class PrefixLock {
    /** The most processes with the default prefix on one host. */
    static final int MAX_SLOTS = 64;
    /** Strongly held: an unreachable channel would be closed by its cleaner, and the lock with it. */
    private static final List<PrefixLock> HELD = new CopyOnWriteArrayList<>();

    private final FileChannel channel;
    private final FileLock lock;
    private final String prefix;

    private PrefixLock(FileChannel channel, FileLock lock, String prefix) {
        this.channel = channel;
        this.lock = lock;
        this.prefix = prefix;
    }

    /**
     * Claims {@code prefix} in {@code dir} (the default one, given {@code explicit} false: the first
     * free of {@code prefix}, {@code prefix-1}, ...). Held until the process ends.
     */
    public static PrefixLock claim(String prefix, boolean explicit, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create " + dir + " for the transactional-id prefix lock: " + e.getMessage(), e);
        }
        for (int slot = 0; slot < (explicit ? 1 : MAX_SLOTS); slot++) {
            String candidate = slot == 0 ? prefix : prefix + "-" + slot;
            PrefixLock held = tryLock(dir.resolve(candidate + ".lock"), candidate);
            if (held != null) {
                return held;
            }
        }
        throw new IllegalArgumentException(explicit
                ? "transactional-id-prefix '" + prefix + "' is in use by another live worker process on this host"
                + " (two processes sharing it would fence each other); give each its own"
                : "more than " + MAX_SLOTS + " worker processes on this host use the default transactional-id prefix");
    }

    /** The default lock folder: the user's temporary directory. */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "fashion-worker-prefixes");
    }

    private static PrefixLock tryLock(Path file, String prefix) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                PrefixLock held = new PrefixLock(channel, lock, prefix);
                HELD.add(held);
                return held;
            }
        } catch (OverlappingFileLockException e) {
            // held by this very process (a second claim of the same prefix): taken
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot lock " + file + ": " + e.getMessage(), e);
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing held
        }
        return null;
    }

    /** The prefix this process holds. */
    public String prefix() {
        return prefix;
    }

    /** Lets the prefix go (tests; a process lets it go by ending). */
    public void release() throws IOException {
        HELD.remove(this);
        lock.release();
        channel.close();
    }
}
