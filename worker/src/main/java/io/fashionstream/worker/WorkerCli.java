package io.fashionstream.worker;

import io.fashionstream.core.Printable;
import io.fashionstream.core.model.ModelLoadException;
import io.fashionstream.core.model.NativeBackend;
import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.produce.ProduceCommand;
import io.fashionstream.worker.release.ReleaseCommands;
import io.fashionstream.worker.topics.TopicsCommand;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * {@code fashion-worker run|produce|topics|release}: the command line of the worker; the tools jar adds
 * {@code demo} and {@code bench} ({@link ExtraCommands}).
 */
@Command(name = "fashion-worker", mixinStandardHelpOptions = true, version = "fashion-worker 0.1.0",
        description = "Classifies catalog images streamed through Kafka with the Fashion-MNIST networks.")
public final class WorkerCli {
    /** A run that started but failed: Kafka unreachable, a topic missing, a fatal Kafka error. */
    public static final int EXIT_FAILED = 1;
    /** Bad usage or configuration: a one-line error naming the problem. */
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args));
    }

    /** Runs the command line with the given environment and returns its exit code (tests call this). */
    public static int run(Map<String, String> env, String... args) {
        ConfigSources sources;
        try {
            NativeBackend.select();
            sources = ConfigSources.load(env, args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return EXIT_USAGE;
        }
        CommandLine cl = commandLine(env, sources);
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + ex.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IOException || ex instanceof ModelLoadException) {
                cmd.getErr().println("error: " + Printable.collapsed(ex.getMessage()));
                return EXIT_USAGE;
            }
            ConfigException refused = kafkaConfigError(ex);
            if (refused != null) {
                // A combination of client settings only a client's constructor checks (acks=0 with idempotence, say).
                cmd.getErr().println("error: Kafka client settings refused: " + Printable.collapsed(refused.getMessage()));
                return EXIT_USAGE;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    private static ConfigException kafkaConfigError(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConfigException config) {
                return config;
            }
        }
        return null;
    }

    /** The command tree with its settings sources; tests read its options to check deployment files. */
    public static CommandLine commandLine(Map<String, String> env, ConfigSources sources) {
        CommandLine cl = new CommandLine(new WorkerCli())
                .addSubcommand(new RunCommand(env, sources))
                .addSubcommand(new ProduceCommand(sources))
                .addSubcommand(new TopicsCommand(sources))
                .addSubcommand("release", ReleaseCommands.tree(sources));
        for (ExtraCommands extra : ServiceLoader.load(ExtraCommands.class)) {
            extra.commands(env, sources).forEach(cl::addSubcommand);
        }
        cl.setDefaultValueProvider(sources);
        return cl;
    }
}
