package io.fashionstream.worker.fetch;

import java.time.Duration;
import java.util.List;

/**
 * How images by reference are fetched (the {@code --fetch-*} options).
 *
 * @param allow            {@code --fetch-allow}: host names, {@code *.domain} patterns, CIDR ranges; empty: no fetching
 * @param allowHttp        whether plain {@code http} URLs are fetched too
 * @param concurrency      fetches in flight per worker process, in all
 * @param perHost          connections per host (scheme, host and port); never more than {@code concurrency}
 * @param connectTimeout   to open a connection (TLS included)
 * @param firstByteTimeout the longest silence from the server: before the first byte and between two
 * @param totalTimeout     the whole fetch, retries, backoff and redirects included
 * @param maxRedirects     redirect hops followed, each checked as the first URL is
 */
public record FetchSettings(List<String> allow, boolean allowHttp, int concurrency, int perHost, Duration connectTimeout,
                            Duration firstByteTimeout, Duration totalTimeout, int maxRedirects) {
    public static final int DEFAULT_CONCURRENCY = 256;
    public static final int DEFAULT_PER_HOST = 128;
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
    public static final long DEFAULT_FIRST_BYTE_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_TOTAL_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_MAX_REDIRECTS = 3;
    public static final int MAX_CONCURRENCY = 1024;
    public static final int MAX_REDIRECTS_LIMIT = 10;

    /** No fetching, the defaults otherwise. */
    public static final FetchSettings DEFAULTS = new FetchSettings(List.of(), false, DEFAULT_CONCURRENCY,
            DEFAULT_PER_HOST, Duration.ofMillis(DEFAULT_CONNECT_TIMEOUT_MS),
            Duration.ofMillis(DEFAULT_FIRST_BYTE_TIMEOUT_MS), Duration.ofMillis(DEFAULT_TOTAL_TIMEOUT_MS),
            DEFAULT_MAX_REDIRECTS);

    public FetchSettings {
        allow = List.copyOf(allow);
        FetchPolicy.of(allow, allowHttp); // names the first entry that is not valid
        check(concurrency >= 1 && concurrency <= MAX_CONCURRENCY, "fetch-concurrency must be between 1 and "
                + MAX_CONCURRENCY + ", not " + concurrency);
        check(perHost >= 1 && perHost <= MAX_CONCURRENCY, "fetch-per-host must be between 1 and " + MAX_CONCURRENCY
                + ", not " + perHost);
        check(connectTimeout.toMillis() >= 1 && firstByteTimeout.toMillis() >= 1, "fetch timeouts must be positive");
        check(totalTimeout.compareTo(connectTimeout) >= 0 && totalTimeout.compareTo(firstByteTimeout) >= 0,
                "fetch-timeout-ms must be at least the connect and first-byte timeouts");
        check(maxRedirects >= 0 && maxRedirects <= MAX_REDIRECTS_LIMIT, "fetch-max-redirects must be between 0 and "
                + MAX_REDIRECTS_LIMIT + ", not " + maxRedirects);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public FetchPolicy policy() {
        return FetchPolicy.of(allow, allowHttp);
    }
}
