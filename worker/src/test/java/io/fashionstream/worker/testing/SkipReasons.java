package io.fashionstream.worker.testing;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Says on the console why a test did not run, one line each: Surefire counts skipped tests but
 * shows their reasons only in its report files, and a machine without Docker, the training split
 * or Prometheus should say which checks it left out. Registered through
 * {@code META-INF/services}, so every test class of the module gets it.
 */
public final class SkipReasons implements TestExecutionListener {
    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        System.out.println("skipped " + test.getDisplayName() + ": " + reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            String reason = result.getThrowable().map(Throwable::getMessage).orElse("aborted");
            System.out.println("skipped " + test.getDisplayName() + ": " + reason.replaceFirst("^Assumption failed: ", ""));
        }
    }
}
