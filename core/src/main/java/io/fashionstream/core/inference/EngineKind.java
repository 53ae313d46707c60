package io.fashionstream.core.inference;

import java.util.Locale;

/** What runs a model in the worker: ONNX Runtime on the exported model, or DL4J on the trained one. */
public enum EngineKind {
    ONNXRUNTIME,
    DL4J;

    /** The spelling on the command line: {@code onnxruntime}, {@code dl4j}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code onnxruntime} or {@code dl4j}, exactly as spelt. */
    public static EngineKind parse(String text) {
        for (EngineKind k : values()) {
            if (k.cliName().equals(text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("engine must be onnxruntime or dl4j, not '" + text + "'");
    }
}
