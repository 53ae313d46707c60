package io.fashionstream.tools.bench;

import io.fashionstream.core.inference.InferenceEngine;
import picocli.CommandLine.Option;

import java.time.Duration;

/** How long each forward-pass measurement warms up and runs (a picocli mixin of the engine and pipeline benches). */
public final class EngineTiming {
    @Option(names = "--seconds", defaultValue = "3", description = "Measuring time per forward-pass point (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup-seconds", defaultValue = "1", description = "Warm-up per forward-pass point (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    /** Refuses bad timings before a bench opens a model or starts a broker. */
    void validate() {
        if (seconds <= 0 || warmupSeconds < 0) {
            throw new IllegalArgumentException("--seconds must be positive and --warmup-seconds not negative");
        }
    }

    EngineBench benchOf(InferenceEngine engine) {
        return new EngineBench(engine, Duration.ofMillis((long) (warmupSeconds * 1000)), Duration.ofMillis((long) (seconds * 1000)));
    }
}
