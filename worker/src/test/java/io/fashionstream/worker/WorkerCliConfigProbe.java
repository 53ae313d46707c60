package io.fashionstream.worker;

import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.config.WorkerConfig;
import picocli.CommandLine;

import java.util.Map;

/** Resolves a {@code run} command line into its configuration, without starting anything. */
public final class WorkerCliConfigProbe {
    private WorkerCliConfigProbe() {
    }

    public static WorkerConfig runConfig(Map<String, String> env, String... runArgs) {
        ConfigSources sources = ConfigSources.load(env, runArgs);
        RunCommand run = new RunCommand(env, sources);
        CommandLine cl = new CommandLine(run);
        cl.setDefaultValueProvider(sources);
        cl.parseArgs(runArgs);
        sources.checkFileKeys(run.spec);
        return run.options.toConfig(run.bootstrapServers, sources, env);
    }
}
