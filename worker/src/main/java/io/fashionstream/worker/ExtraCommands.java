package io.fashionstream.worker;

import io.fashionstream.worker.config.ConfigSources;

import java.util.List;
import java.util.Map;

/**
 * Commands another jar adds to the worker's command line when it is on the class path, found with
 * {@link java.util.ServiceLoader}: the tools jar adds {@code demo} and {@code bench}, so the
 * serving artifact carries neither them nor what they need (a broker, charting libraries).
 */
public interface ExtraCommands {
    /** The picocli command objects to add, read from the same environment and settings sources as the others. */
    List<Object> commands(Map<String, String> env, ConfigSources sources);
}
