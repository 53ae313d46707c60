package io.fashionstream.worker.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Keeps credentials out of logs: client settings whose names suggest a secret are shown masked. */
public final class Secrets {
    public static final String MASK = "[hidden]";
    private static final Pattern SECRET_KEY = Pattern.compile(
            "password|secret|jaas|token|credential|\\.key$|keystore\\.key|private");

    private Secrets() {
    }

    public static boolean isSecret(String key) {
        return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).find();
    }

    /** A sorted copy safe to print. */
    public static Map<String, String> masked(Map<String, String> properties) {
        Map<String, String> out = new TreeMap<>();
        properties.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : v));
        return out;
    }
}
