package io.fashionstream.trainer;

import java.io.PrintStream;

/**
 * Keeps ND4J's {@code Added differentiated op <name>} lines off standard output. SameDiff prints
 * one per operation with {@code System.out.println} (no logger to turn down) the first time a
 * custom layer's gradient is built, which the first training step does; in a training log they
 * read like part of the run. Everything else printed passes through unchanged.
 */
final class SameDiffChatter {
    static final String PREFIX = "Added differentiated op ";

    private SameDiffChatter() {
    }

    /** Wraps {@link System#out} once per JVM with a stream that drops those lines. */
    static synchronized void silence() {
        if (!(System.out instanceof Filter)) {
            System.setOut(new Filter(System.out));
        }
    }

    private static final class Filter extends PrintStream {
        Filter(PrintStream out) {
            super(out, true);
        }

        @Override
        public void println(String line) {
            if (line == null || !line.startsWith(PREFIX)) {
                super.println(line);
            }
        }
    }
}
