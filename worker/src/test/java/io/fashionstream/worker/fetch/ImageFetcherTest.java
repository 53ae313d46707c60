package io.fashionstream.worker.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fetcher against loopback HTTP servers: what it fetches, retries, refuses and gives up on. */
class ImageFetcherTest {
    private static final byte[] IMAGE = "not really a JPEG, but bytes all the same".getBytes();
    private static final int MAX_BYTES = 64 * 1024;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong bytesSent = new AtomicLong();
    private HttpServer server;
    private HttpServer other;
    private ImageFetcher fetcher;

    @AfterEach
    void stop() {
        if (fetcher != null) {
            fetcher.close();
        }
        for (HttpServer s : new HttpServer[]{server, other}) {
            if (s != null) {
                s.stop(0);
            }
        }
    }

    private interface Handler {
        void handle(HttpExchange exchange, int request) throws Exception;
    }

    private String serve(Handler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try {
                handler.handle(exchange, requests.incrementAndGet());
            } catch (Exception e) {
                // the client went away: what the test is about
            } finally {
                exchange.close();
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private ImageFetcher fetcher(List<String> allow, long totalMs) {
        return fetcher(allow, totalMs, null);
    }

    private ImageFetcher fetcher(List<String> allow, long totalMs, GuardedDnsResolver.Lookup lookup) {
        FetchSettings settings = new FetchSettings(allow, true, 8, 4, Duration.ofMillis(500), Duration.ofMillis(300),
                Duration.ofMillis(totalMs), 3);
        fetcher = new ImageFetcher(settings, MAX_BYTES, lookup);
        return fetcher;
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Test
    void fetchesTheBytesAndSaysWhatItFetched() throws Exception {
        String base = serve((ex, n) -> send(ex, 200, IMAGE));
        Fetched f = fetcher(List.of("127.0.0.1/32"), 2000).fetch(URI.create(base + "/a.jpg"));
        assertArrayEquals(IMAGE, f.bytes());
        assertEquals(base + "/a.jpg", f.url());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(IMAGE)), f.sha256());
        assertEquals("127.0.0.1/32", f.allowedBy());
    }

    @Test
    void a503IsRetriedAndA404IsNot() throws Exception {
        String base = serve((ex, n) -> {
            if (ex.getRequestURI().getPath().equals("/missing")) {
                send(ex, 404, new byte[0]);
            } else {
                send(ex, n == 1 ? 503 : 200, n == 1 ? new byte[0] : IMAGE);
            }
        });
        ImageFetcher f = fetcher(List.of("127.0.0.1/32"), 3000);
        assertArrayEquals(IMAGE, f.fetch(URI.create(base + "/a.jpg")).bytes());
        assertEquals(2, requests.get(), "503, then 200");
        FetchException e = assertThrows(FetchException.class, () -> f.fetch(URI.create(base + "/missing")));
        assertEquals(FetchException.Reason.FETCH_FAILED, e.reason());
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertEquals(3, requests.get(), "a 404 is not retried");
    }

    @Test
    void a429WaitsForItsRetryAfter() throws Exception {
        String base = serve((ex, n) -> {
            if (n == 1) {
                ex.getResponseHeaders().add("Retry-After", "1");
                send(ex, 429, new byte[0]);
            } else {
                send(ex, 200, IMAGE);
            }
        });
        long start = System.nanoTime();
        assertArrayEquals(IMAGE, fetcher(List.of("127.0.0.1/32"), 3000).fetch(URI.create(base + "/a.jpg")).bytes());
        assertTrue(System.nanoTime() - start >= 950_000_000L, "waited for Retry-After");
    }

    @Test
    void aSilentServerIsATimeoutWithinTheDeadline() throws Exception {
        String base = serve((ex, n) -> Thread.sleep(5000));
        long start = System.nanoTime();
        FetchException e = assertThrows(FetchException.class,
                () -> fetcher(List.of("127.0.0.1/32"), 1000).fetch(URI.create(base + "/slow.jpg")));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(FetchException.Reason.FETCH_TIMEOUT, e.reason(), e.getMessage());
        assertTrue(ms < 2500, "gave up after " + ms + " ms");
    }

    @Test
    void anOversizedBodyIsRefusedWithoutReadingItAll() throws Exception {
        String base = serve((ex, n) -> {
            boolean declared = ex.getRequestURI().getPath().equals("/declared");
            ex.sendResponseHeaders(200, declared ? 100L << 20 : 0); // 100 MB declared, or chunked
            try (OutputStream out = ex.getResponseBody()) {
                byte[] chunk = new byte[8192];
                for (int i = 0; i < 12_800; i++) { // up to 100 MB
                    out.write(chunk);
                    bytesSent.addAndGet(chunk.length);
                }
            }
        });
        ImageFetcher f = fetcher(List.of("127.0.0.1/32"), 5000);
        for (String path : List.of("/declared", "/chunked")) {
            bytesSent.set(0);
            FetchException e = assertThrows(FetchException.class, () -> f.fetch(URI.create(base + path)));
            assertEquals(FetchException.Reason.FETCH_TOO_LARGE, e.reason(), path + ": " + e.getMessage());
            Thread.sleep(200);
            assertTrue(bytesSent.get() < 20L << 20, path + ": the server got to send " + bytesSent.get() + " bytes");
        }
    }

    @Test
    void aHostNotOnTheListIsNeverConnectedTo() throws Exception {
        String base = serve((ex, n) -> send(ex, 200, IMAGE));
        FetchException e = assertThrows(FetchException.class,
                () -> fetcher(List.of("images.example.com"), 2000).fetch(URI.create(base + "/a.jpg")));
        assertEquals(FetchException.Reason.FETCH_FORBIDDEN, e.reason());
        assertEquals(0, requests.get());
    }

    @Test
    void aRedirectToAHostNotOnTheListIsRefusedBeforeItIsFollowed() throws Exception {
        other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger otherRequests = new AtomicInteger();
        other.createContext("/", ex -> {
            otherRequests.incrementAndGet();
            send(ex, 200, IMAGE);
            ex.close();
        });
        other.start();
        String base = serve((ex, n) -> {
            ex.getResponseHeaders().add("Location", "http://localhost:" + other.getAddress().getPort() + "/internal");
            send(ex, 302, new byte[0]);
        });
        FetchException e = assertThrows(FetchException.class,
                () -> fetcher(List.of("127.0.0.1/32"), 2000).fetch(URI.create(base + "/a.jpg")));
        assertEquals(FetchException.Reason.FETCH_FORBIDDEN, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("localhost"), e.getMessage());
        assertEquals(1, requests.get());
        assertEquals(0, otherRequests.get(), "the redirect's target was never asked");
    }

    @Test
    void aListedNameThatResolvesToLoopbackIsRefusedWithoutAConnection() throws Exception {
        String base = serve((ex, n) -> send(ex, 200, IMAGE));
        int port = server.getAddress().getPort();
        // cdn.example.test is on the list, but its DNS answer is 127.0.0.1, which no range names
        ImageFetcher f = fetcher(List.of("cdn.example.test"), 2000,
                host -> new InetAddress[]{InetAddress.getByAddress(host, new byte[]{127, 0, 0, 1})});
        FetchException e = assertThrows(FetchException.class,
                () -> f.fetch(URI.create("http://cdn.example.test:" + port + "/a.jpg")));
        assertEquals(FetchException.Reason.FETCH_FORBIDDEN, e.reason());
        assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
        assertEquals(0, requests.get());
        assertTrue(base.endsWith(":" + port));
    }
}
