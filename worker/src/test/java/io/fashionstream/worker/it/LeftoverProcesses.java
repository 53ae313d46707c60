package io.fashionstream.worker.it;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

import java.util.List;

/**
 * After each test class, kills what it started with {@link WorkerProcess} and left running (a
 * test that failed before its own clean-up), and says so, so that no worker, producer or demo
 * outlives its class and disturbs the next one. Registered through {@code META-INF/services}.
 */
public final class LeftoverProcesses implements TestExecutionListener {
    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (test.getSource().filter(ClassSource.class::isInstance).isEmpty()) {
            return;
        }
        try {
            List<String> killed = WorkerProcess.killLeftovers();
            if (!killed.isEmpty()) {
                System.out.println(test.getDisplayName() + " left processes running; killed " + killed);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
