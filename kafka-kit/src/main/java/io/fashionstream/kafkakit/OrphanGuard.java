package io.fashionstream.kafkakit;

import java.util.Arrays;

/**
 * The main class of a {@link KafkaBrokerProcess}: Kafka's own {@code kafka.Kafka}, ended when the
 * process that started it ends, however it ends. A demo or a test killed with SIGKILL would
 * otherwise leave its broker running, holding a port and a core.
 */
public final class OrphanGuard {
    private OrphanGuard() {
    }

    /** {@code <parent pid> <kafka.Kafka arguments...>}. */
    public static void main(String[] args) throws Exception {
        long parent = Long.parseLong(args[0]);
        ProcessHandle.of(parent).ifPresentOrElse(
                p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)),
                () -> Runtime.getRuntime().halt(0));
        kafka.Kafka.main(Arrays.copyOfRange(args, 1, args.length));
    }
}
