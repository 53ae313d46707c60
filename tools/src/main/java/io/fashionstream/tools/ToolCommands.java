package io.fashionstream.tools;

import io.fashionstream.tools.bench.BenchCommand;
import io.fashionstream.tools.demo.DemoCommand;
import io.fashionstream.worker.ExtraCommands;
import io.fashionstream.worker.config.ConfigSources;

import java.util.List;
import java.util.Map;

/** Adds {@code demo} and {@code bench} to the worker's command line when the tools jar is on the class path. */
public final class ToolCommands implements ExtraCommands {
    @Override
    public List<Object> commands(Map<String, String> env, ConfigSources sources) {
        return List.of(new DemoCommand(env, sources), new BenchCommand());
    }
}
