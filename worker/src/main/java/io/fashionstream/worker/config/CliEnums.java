package io.fashionstream.worker.config;

import io.fashionstream.core.inference.EngineKind;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Picocli converters for the settings that are enums, by the names the command line uses ({@code exactly-once}, ...). */
public final class CliEnums {
    private CliEnums() {
    }

    /** Parses by the enum's own rule; its message (which names the setting and the choices) becomes picocli's. */
    private static <T> T parsed(String value, java.util.function.Function<String, T> parse) {
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** {@code onnxruntime} or {@code dl4j}. */
    public static final class Engine implements ITypeConverter<EngineKind> {
        @Override
        public EngineKind convert(String value) {
            return parsed(value, EngineKind::parse);
        }
    }

    /** {@code exactly-once} or {@code at-least-once}. */
    public static final class Delivery implements ITypeConverter<Guarantee> {
        @Override
        public Guarantee convert(String value) {
            return parsed(value, Guarantee::parse);
        }
    }

    /** {@code auto}, {@code consumer} or {@code classic}. */
    public static final class Protocol implements ITypeConverter<GroupProtocol> {
        @Override
        public GroupProtocol convert(String value) {
            return parsed(value, GroupProtocol::parse);
        }
    }
}
