package io.fashionstream.tools.bench;

import ai.onnxruntime.OrtEnvironment;
import io.fashionstream.core.image.ImageDecoders;
import io.fashionstream.core.model.NativeBackend;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What a benchmark ran on, printed with every result: figures mean little without the cores,
 * the vector instructions, the JVM and the ND4J build behind them.
 *
 * @param cpuFlags the SIMD flags that matter for ND4J's builds, of those the CPU reports
 */
public record MachineInfo(int cores, String cpu, List<String> cpuFlags, String jvm, String nd4j, String onnxRuntime,
                          String ompNumThreads, String imageDecoders) {
    private static final Set<String> FLAGS = Set.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "amx_tile");

    /** This machine, now (initialises ND4J). */
    public static MachineInfo current() {
        String cpu = "unknown";
        List<String> flags = List.of();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && cpu.equals("unknown")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                } else if (line.startsWith("flags") && flags.isEmpty()) {
                    flags = List.of(line.substring(line.indexOf(':') + 1).strip().split("\\s+")).stream()
                            .filter(FLAGS::contains).sorted().toList();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the fields stay unknown
        }
        String jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), cpu, flags, jvm,
                NativeBackend.describeLoaded(), "onnxruntime " + OrtEnvironment.getEnvironment().getVersion(),
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"), ImageDecoders.describe());
    }

    /** The OpenMP threads ND4J's native ops use (its DL4J forward passes). */
    public static int openMpThreads() {
        return Nd4j.getEnvironment().maxThreads();
    }

    /** One line for a report's header. */
    public String describe() {
        return String.format("%d cores, %s [%s]; %s; %s; %s; OMP_NUM_THREADS=%s%n  image decoders: %s", cores, cpu,
                String.join(" ", cpuFlags), jvm, nd4j, onnxRuntime, ompNumThreads, imageDecoders);
    }
}
