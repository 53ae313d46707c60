package io.fashionstream.worker.config;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where an option's value comes from when it is not given as a flag: first an environment
 * variable ({@code --max-batch} ↔ {@code FASHION_MAX_BATCH}), then the properties file named by
 * {@code --config} or {@code FASHION_CONFIG} ({@code max-batch=64}), then the built-in default.
 * Kafka client settings follow the same order: {@code --kafka-property k=v} over
 * {@code FASHION_KAFKA_<KEY>} ({@code FASHION_KAFKA_SECURITY_PROTOCOL} ↔ {@code security.protocol})
 * over {@code kafka.<key>} lines in the file.
 */
public final class ConfigSources implements CommandLine.IDefaultValueProvider {
    public static final String ENV_PREFIX = "FASHION_";
    public static final String CONFIG_ENV = "FASHION_CONFIG";
    public static final String KAFKA_ENV_PREFIX = "FASHION_KAFKA_";
    public static final String KAFKA_FILE_PREFIX = "kafka.";
    /** Options that are not settings themselves, so have no environment or file equivalent. */
    private static final Set<String> NOT_SETTINGS = Set.of("config", "kafka-property", "help", "version");

    private final Map<String, String> env;
    private final Properties file;
    private final Path filePath;

    private ConfigSources(Map<String, String> env, Properties file, Path filePath) {
        this.env = env;
        this.file = file;
        this.filePath = filePath;
    }

    /**
     * Reads the properties file named by {@code --config FILE} / {@code --config=FILE} in
     * {@code args}, or else by {@code FASHION_CONFIG}; no file is fine.
     */
    public static ConfigSources load(Map<String, String> env, String... args) {
        Path path = configPath(env, args);
        Properties props = new Properties();
        if (path != null) {
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("config file " + path + " does not exist");
            }
            try (Reader in = Files.newBufferedReader(path)) {
                props.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("config file " + path + " cannot be read: " + e.getMessage(), e);
            }
        }
        return new ConfigSources(Map.copyOf(env), props, path);
    }

    private static Path configPath(Map<String, String> env, String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        String fromEnv = env.get(CONFIG_ENV);
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }

    /** The environment variable that sets an option: {@code --max-wait-ms} → {@code FASHION_MAX_WAIT_MS}. */
    public static String envName(String optionName) {
        return ENV_PREFIX + stripDashes(optionName).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The variables that set options of {@code spec}, {@link #CONFIG_ENV} included (not the Kafka prefix). */
    public static Set<String> envNames(CommandSpec spec) {
        Set<String> names = new TreeSet<>(Set.of(CONFIG_ENV));
        for (OptionSpec option : spec.options()) {
            String name = stripDashes(option.longestName());
            if (!NOT_SETTINGS.contains(name)) {
                names.add(envName(name));
            }
        }
        return names;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String name = stripDashes(option.longestName());
        if (NOT_SETTINGS.contains(name)) {
            return null;
        }
        String fromEnv = env.get(envName(name));
        if (fromEnv != null) {
            return fromEnv;
        }
        return file.getProperty(name);
    }

    /**
     * Rejects keys in the file that no option of {@code spec} knows, so a misspelt setting is an
     * error rather than silently ignored.
     */
    public void checkFileKeys(CommandSpec spec) {
        Set<String> known = new TreeSet<>();
        for (OptionSpec option : spec.options()) {
            known.add(stripDashes(option.longestName()));
        }
        for (String key : file.stringPropertyNames()) {
            if (!key.startsWith(KAFKA_FILE_PREFIX) && (!known.contains(key) || NOT_SETTINGS.contains(key))) {
                throw new IllegalArgumentException("config file " + filePath + ": unknown setting '" + key
                        + "' (settings are option names without dashes, e.g. max-batch, or kafka.<client property>)");
            }
        }
    }

    /** Kafka client settings from all three sources, the flags winning. */
    public Map<String, String> kafkaProperties(Map<String, String> fromFlags) {
        Map<String, String> merged = new HashMap<>();
        for (String key : file.stringPropertyNames()) {
            if (key.startsWith(KAFKA_FILE_PREFIX)) {
                merged.put(key.substring(KAFKA_FILE_PREFIX.length()), file.getProperty(key));
            }
        }
        env.forEach((key, value) -> {
            if (key.startsWith(KAFKA_ENV_PREFIX) && key.length() > KAFKA_ENV_PREFIX.length()) {
                merged.put(key.substring(KAFKA_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        if (fromFlags != null) {
            merged.putAll(fromFlags);
        }
        return merged;
    }

    private static String stripDashes(String name) {
        return name.replaceFirst("^-+", "");
    }
}
