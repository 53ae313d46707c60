package io.fashionstream.worker.fetch;

import io.fashionstream.core.Sha256;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Fetches one image by reference, bounded in every way a hostile URL could exploit: the
 * {@link FetchPolicy} is checked on the URL and on every redirect hop (hops limited), the
 * addresses by the {@link GuardedDnsResolver} before any connection; connections come from a
 * pool limited per host and in all; connect and first-byte timeouts, and one deadline over the
 * whole fetch (retries included) after which the request is aborted; a {@code Content-Length} over
 * the size cap is refused before the body, and a body is read only up to the cap. Timeouts, 5xx
 * and 429 (after its {@code Retry-After}) are retried with exponential backoff and full jitter
 * within the deadline; other 4xx are not. Blocking and thread-safe: callers run it on their own
 * threads ({@link FetchStage}).
 */
public final class ImageFetcher implements AutoCloseable {
    /** The first retry's backoff ceiling; each further one doubles it. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final String USER_AGENT = "fashion-stream-worker";

    private final FetchSettings settings;
    private final FetchPolicy policy;
    private final int maxBytes;
    private final PoolingHttpClientConnectionManager connections;
    private final CloseableHttpClient client;
    private final ScheduledExecutorService deadlines;
    private final LongSupplier nanoClock = System::nanoTime;

    public ImageFetcher(FetchSettings settings, int maxBytes) {
        this(settings, maxBytes, null);
    }

    /** @param lookup the DNS lookup under the policy's guard; null: the system's */
    ImageFetcher(FetchSettings settings, int maxBytes, GuardedDnsResolver.Lookup lookup) {
        this.settings = settings;
        this.policy = settings.policy();
        this.maxBytes = maxBytes;
        GuardedDnsResolver resolver = lookup == null ? new GuardedDnsResolver(policy)
                : new GuardedDnsResolver(policy, lookup);
        this.connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(resolver)
                .setMaxConnTotal(settings.concurrency())
                .setMaxConnPerRoute(Math.min(settings.perHost(), settings.concurrency()))
                .setDefaultSocketConfig(SocketConfig.custom()
                        .setSoTimeout(Timeout.of(settings.firstByteTimeout())).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(settings.connectTimeout()))
                        .setSocketTimeout(Timeout.of(settings.firstByteTimeout())).build())
                .build();
        this.client = HttpClients.custom()
                .setConnectionManager(connections)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent(USER_AGENT)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.of(settings.totalTimeout()))
                        .setResponseTimeout(Timeout.of(settings.firstByteTimeout())).build())
                .build();
        this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fetch-deadlines");
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether any fetching is allowed. */
    public boolean enabled() {
        return policy.enabled();
    }

    /** The policy's entry that lets {@code url} through (the metrics' host label); throws when none does. */
    public String allowedBy(URI url) throws FetchException {
        return policy.checkUrl(url);
    }

    /** Fetches {@code url} whole within the deadline, or says why not. */
    public Fetched fetch(URI url) throws FetchException {
        String allowedBy = policy.checkUrl(url);
        long deadline = nanoClock.getAsLong() + settings.totalTimeout().toNanos();
        FetchException last = null;
        for (int attempt = 0; ; attempt++) {
            try {
                return once(url, allowedBy, deadline);
            } catch (Retryable r) {
                last = r.failure;
                long wait = Math.max(r.retryAfterNanos, backoffNanos(attempt));
                if (nanoClock.getAsLong() + wait >= deadline) {
                    throw last.reason() == FetchException.Reason.FETCH_TIMEOUT ? last : new FetchException(
                            last.reason(), last.getMessage() + "; no time left to retry within "
                            + settings.totalTimeout().toMillis() + " ms", last);
                }
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new FetchException(FetchException.Reason.FETCH_FAILED, "interrupted", e);
                }
            }
        }
    }

    /** Full jitter: uniform in [0, 100 ms x 2^attempt]. */
    static long backoffNanos(int attempt) {
        long ceiling = FIRST_BACKOFF.toNanos() << Math.min(attempt, 16);
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    /** One attempt: the request, and the redirects it leads to. */
    private Fetched once(URI first, String allowedBy, long deadline) throws FetchException, Retryable {
        URI url = first;
        String allowed = allowedBy;
        for (int hop = 0; ; hop++) {
            long left = deadline - nanoClock.getAsLong();
            if (left <= 0) {
                throw new FetchException(FetchException.Reason.FETCH_TIMEOUT, "not fetched whole within "
                        + settings.totalTimeout().toMillis() + " ms");
            }
            HttpGet get = new HttpGet(url);
            ScheduledFuture<?> abort = deadlines.schedule(get::cancel, left, TimeUnit.NANOSECONDS);
            Answer answer;
            try {
                answer = execute(get);
            } catch (GuardedDnsResolver.Forbidden e) {
                throw e.why;
            } catch (TooLarge e) {
                throw new FetchException(FetchException.Reason.FETCH_TOO_LARGE, e.getMessage());
            } catch (SocketTimeoutException e) { // connect timeouts included
                throw new Retryable(new FetchException(FetchException.Reason.FETCH_TIMEOUT,
                        "timed out: " + e.getMessage(), e), 0);
            } catch (InterruptedIOException e) {
                throw new FetchException(FetchException.Reason.FETCH_TIMEOUT, "not fetched whole within "
                        + settings.totalTimeout().toMillis() + " ms", e);
            } catch (UnknownHostException e) {
                throw new FetchException(FetchException.Reason.FETCH_FAILED, "unknown host " + e.getMessage(), e);
            } catch (IOException e) {
                if (get.isCancelled()) {
                    throw new FetchException(FetchException.Reason.FETCH_TIMEOUT, "not fetched whole within "
                            + settings.totalTimeout().toMillis() + " ms", e);
                }
                throw new FetchException(FetchException.Reason.FETCH_FAILED, e.getClass().getSimpleName() + ": "
                        + e.getMessage(), e);
            } finally {
                abort.cancel(false);
            }
            if (answer.status() >= 300 && answer.status() < 400 && answer.location() != null) {
                if (hop >= settings.maxRedirects()) {
                    throw new FetchException(FetchException.Reason.FETCH_FAILED, "more than " + settings.maxRedirects()
                            + " redirects");
                }
                try {
                    url = url.resolve(new URI(answer.location()));
                } catch (URISyntaxException e) {
                    throw new FetchException(FetchException.Reason.FETCH_FAILED, "redirect to an invalid URL", e);
                }
                allowed = policy.checkUrl(url); // each hop as the first: a redirect cannot leave the list
                continue;
            }
            if (answer.status() == 429 || answer.status() >= 500) {
                throw new Retryable(new FetchException(FetchException.Reason.FETCH_FAILED, "HTTP " + answer.status()
                        + " from " + url.getHost()), answer.retryAfterNanos());
            }
            if (answer.status() != 200) {
                throw new FetchException(FetchException.Reason.FETCH_FAILED, "HTTP " + answer.status() + " from "
                        + url.getHost());
            }
            return new Fetched(answer.body(), url.toString(), Sha256.hex(answer.body()), allowed);
        }
    }

    /**
     * Sends one request and reads its answer. On any failure the connection is aborted, not
     * drained: an oversized body is left unread, and no connection stays with a hostile server.
     */
    private Answer execute(HttpGet get) throws IOException {
        ClassicHttpResponse response = client.executeOpen(null, get, null);
        try {
            Answer answer = read(response);
            response.close();
            return answer;
        } catch (IOException | RuntimeException e) {
            get.cancel();
            try {
                response.close();
            } catch (IOException aborted) {
                e.addSuppressed(aborted); // the abort itself: what went wrong is e
            }
            throw e;
        }
    }

    /** What one request answered: its status, and the body of a 200 (read up to the cap). */
    private record Answer(int status, String location, long retryAfterNanos, byte[] body) {
    }

    private Answer read(ClassicHttpResponse response) throws IOException {
        int status = response.getCode();
        Header location = response.getFirstHeader(HttpHeaders.LOCATION);
        if (status != 200) {
            return new Answer(status, location == null ? null : location.getValue(),
                    retryAfterNanos(response.getFirstHeader(HttpHeaders.RETRY_AFTER)), null);
        }
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return new Answer(status, null, 0, new byte[0]);
        }
        long declared = entity.getContentLength();
        if (declared > maxBytes) {
            throw new TooLarge("Content-Length " + declared + " is over the limit of " + maxBytes + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, maxBytes)));
        byte[] buffer = new byte[16 * 1024];
        // Not closed on failure: closing would drain the rest of the body; the caller aborts instead.
        InputStream in = entity.getContent();
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (out.size() + n > maxBytes) {
                throw new TooLarge("body is over the limit of " + maxBytes + " bytes");
            }
            out.write(buffer, 0, n);
        }
        in.close();
        return new Answer(status, null, 0, out.toByteArray());
    }

    /** {@code Retry-After} as seconds or an HTTP date; 0 when absent or unreadable; at most a minute. */
    static long retryAfterNanos(Header header) {
        if (header == null) {
            return 0;
        }
        String v = header.getValue().strip();
        long seconds;
        try {
            seconds = Long.parseLong(v);
        } catch (NumberFormatException notSeconds) {
            try {
                seconds = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v,
                        DateTimeFormatter.RFC_1123_DATE_TIME)).toSeconds();
            } catch (DateTimeParseException unreadable) {
                return 0;
            }
        }
        return TimeUnit.SECONDS.toNanos(Math.max(0, Math.min(60, seconds)));
    }

    /** A body over the cap: the read stops there and the connection is dropped. */
    private static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    /** A failure worth another attempt, with the least wait the server asked for. */
    private static final class Retryable extends Exception {
        final transient FetchException failure;
        final long retryAfterNanos;

        Retryable(FetchException failure, long retryAfterNanos) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
            this.retryAfterNanos = retryAfterNanos;
        }
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        try {
            client.close();
        } catch (IOException e) {
            // closing connections: nothing left to do
        }
    }
}
