package io.fashionstream.tools.bench;

import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.worker.config.CliEnums;
import io.fashionstream.worker.config.WorkerConfig;
import picocli.CommandLine.Option;

/** The model the bench's workers serve and the engine that runs it (a picocli mixin of the pipeline and failover benches). */
public final class ServedModelOptions {
    @Option(names = "--model", defaultValue = "simple", description = "The model the workers serve (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--engine", defaultValue = WorkerConfig.DEFAULT_ENGINE_NAME, converter = CliEnums.Engine.class,
            description = "The engine the workers run (default: ${DEFAULT-VALUE})")
    EngineKind engine;
}
