package io.fashionstream.core.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** What the CPU can do, from {@code /proc/cpuinfo}'s flags (Linux; elsewhere nothing is known). */
public final class CpuFeatures {
    /** Flags of 8-bit integer dot-product instructions ONNX Runtime's INT8 kernels use. */
    static final Set<String> INT8_DOT_PRODUCT = Set.of("avx512_vnni", "avx_vnni", "amx_int8", "asimddp");

    private CpuFeatures() {
    }

    /** Whether the CPU has 8-bit dot-product instructions (VNNI on x86, dot product on ARM). */
    public static boolean hasInt8DotProduct() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags") || line.startsWith("Features")) {
                    for (String flag : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
                        if (INT8_DOT_PRODUCT.contains(flag)) {
                            return true;
                        }
                    }
                    return false;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
