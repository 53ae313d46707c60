package io.fashionstream.worker.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What a command prints to standard output during each test, for tests of the command line:
 * {@code @RegisterExtension final StdoutCapture stdout = new StdoutCapture();}.
 */
public final class StdoutCapture implements BeforeEachCallback, AfterEachCallback {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream original;

    @Override
    public void beforeEach(ExtensionContext context) {
        original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.setOut(original);
    }

    /** Everything printed since the test started or the last {@link #reset()}. */
    public String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    public void reset() {
        captured.reset();
    }
}
