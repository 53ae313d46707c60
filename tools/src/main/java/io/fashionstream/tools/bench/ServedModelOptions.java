package io.fashionstream.tools.bench;

import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.Precision;
import io.fashionstream.worker.config.CliEnums;
import io.fashionstream.worker.config.WorkerConfig;
import picocli.CommandLine.Option;

import java.util.List;

/** The model the bench's workers serve, its precision and the engine that runs it (a picocli mixin of the pipeline and failover benches). */
public final class ServedModelOptions {
    @Option(names = "--model", defaultValue = "simple", description = "The model the workers serve (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--engine", defaultValue = WorkerConfig.DEFAULT_ENGINE_NAME, converter = CliEnums.Engine.class,
            description = "The engine the workers run (default: ${DEFAULT-VALUE})")
    EngineKind engine;

    @Option(names = "--precision", defaultValue = WorkerConfig.DEFAULT_PRECISION_NAME,
            description = "fp32, int8 or auto, as on run (default: ${DEFAULT-VALUE})")
    String precision;

    /** The same as the options of a worker process. */
    List<String> workerArgs() {
        return List.of("--model", model, "--engine", engine.cliName(), "--precision", precision);
    }

    /** The {@code --precision} asked for. */
    Precision precision() {
        return Precision.parse(precision);
    }
}
