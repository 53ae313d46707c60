package io.fashionstream.worker;

import sun.misc.Signal;

/**
 * Turns SIGTERM and Ctrl-C into a graceful stop. A plain shutdown hook would not do: the JVM
 * exits with 143 after one, while an orchestrator expects 0 from a clean stop.
 */
public final class Shutdown {
    private Shutdown() {
    }

    /** Runs {@code stop} (on a signal thread) at SIGTERM or Ctrl-C instead of exiting at once. */
    public static void onSignal(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> stop.run());
            } catch (IllegalArgumentException e) {
                // Signal not available here (e.g. INT under some launchers): the other one still works.
            }
        }
    }
}
