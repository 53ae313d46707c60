package io.fashionstream.worker;

import sun.misc.Signal;

/**
 * Turns SIGTERM and Ctrl-C into a graceful stop. A plain shutdown hook would not do: the JVM
 * exits with 143 after one, while an orchestrator expects 0 from a clean stop.
 */
final class Shutdown {
    private Shutdown() {
    }

    static void onSignal(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> stop.run());
            } catch (IllegalArgumentException e) {
                // Signal not available here (e.g. INT under some launchers): the other one still works.
            }
        }
    }
}
