package io.fashionstream.trainer;

import io.fashionstream.core.model.NativeBackend;
import io.fashionstream.core.onnx.OnnxExportException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;

/** {@code fashion-trainer train|evaluate|export}: the command line of the trainer. */
@Command(name = "fashion-trainer", mixinStandardHelpOptions = true, version = "fashion-trainer 0.1.0",
        description = "Trains and evaluates the Fashion-MNIST networks served by fashion-stream.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, ExportCommand.class, ReferenceCommand.class,
                QuantizeCommand.class})
public final class TrainerCli {
    /** Exit code for bad usage, bad configuration, missing or invalid inputs. */
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this directly). */
    public static int run(String... args) {
        try {
            NativeBackend.select();
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return EXIT_USAGE;
        }
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return new CommandLine(new TrainerCli())
                .setParameterExceptionHandler((ex, args) -> {
                    PrintWriter err = ex.getCommandLine().getErr();
                    err.println("error: " + ex.getMessage() + " (see --help)");
                    return EXIT_USAGE;
                })
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    // Expected failures (bad values, missing files, wrong formats) are one line and exit 2.
                    if (ex instanceof IllegalArgumentException || ex instanceof IOException
                            || ex instanceof OnnxExportException) {
                        cmd.getErr().println("error: " + ex.getMessage());
                        return EXIT_USAGE;
                    }
                    throw ex;
                });
    }
}
