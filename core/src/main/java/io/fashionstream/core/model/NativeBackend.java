package io.fashionstream.core.model;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Chooses which ND4J native build loads, before ND4J starts.
 *
 * <p>The project ships two builds: {@code linux-x86_64-onednn-avx2}, measured fastest here
 * (see README), and the generic {@code linux-x86_64} one. JavaCPP loads the oneDNN/AVX2 one when
 * present; on a CPU without AVX2 that would fail, so {@link #select()} switches to the generic
 * build there. {@code $FASHION_ND4J_BUILD=generic|onednn-avx2} overrides the choice.
 */
public final class NativeBackend {
    public static final String ENV_BUILD = "FASHION_ND4J_BUILD";
    static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";

    private NativeBackend() {
    }

    /** Call first thing in {@code main}, before any ND4J class is touched. */
    public static void select() {
        if (System.getProperty(EXTENSION_PROPERTY) != null) {
            return; // the user chose with -D
        }
        String requested = System.getenv(ENV_BUILD);
        if (requested != null && !requested.isBlank()) {
            switch (requested.trim().toLowerCase(Locale.ROOT)) {
                case "generic" -> System.setProperty(EXTENSION_PROPERTY, "");
                case "onednn-avx2" -> System.setProperty(EXTENSION_PROPERTY, "-onednn-avx2");
                default -> throw new IllegalArgumentException(
                        ENV_BUILD + " must be 'generic' or 'onednn-avx2', not '" + requested + "'");
            }
            return;
        }
        if (!cpuHasAvx2()) {
            System.setProperty(EXTENSION_PROPERTY, "");
        }
    }

    static boolean cpuHasAvx2() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return (" " + line + " ").contains(" avx2 ");
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux or no /proc: the generic build is the safe choice.
        }
        return false;
    }

    /** What actually loaded, e.g. {@code "nd4j-native onednn-avx2 (OpenBLAS, 2 OpenMP threads)"}. */
    public static String describeLoaded() {
        var environment = Nd4j.getExecutioner().getEnvironmentInformation(); // initialises ND4J first
        String info = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        boolean onednn = info.contains("HAVE_ONEDNN");
        String ext = System.getProperty(EXTENSION_PROPERTY);
        String build = onednn ? "onednn-avx2" : (ext != null && ext.contains("avx2") ? "avx2" : "generic");
        Object blas = environment.get("blas.vendor");
        Object threads = environment.get("omp.threads");
        return String.format("nd4j-native %s (%s, %s OpenMP threads)", build, blas, threads);
    }
}
