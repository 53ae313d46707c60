package io.fashionstream.worker.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fashionstream.core.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The worker's monitoring port, on the JDK's HTTP server: {@code GET /metrics} (Prometheus
 * text format, or OpenMetrics when the scraper asks for it), {@code GET /health/live} and
 * {@code GET /health/ready} (200 when up, 503 when not, a JSON body saying why).
 * <p>Slow clients cannot starve the probes: {@value #THREADS} handler threads serve requests side
 * by side, and a request whose line and headers have not arrived within
 * {@value #MAX_REQUEST_SECONDS} s, or whose answer has not been taken within
 * {@value #MAX_RESPONSE_SECONDS} s, is cut off (the JDK server's {@code sun.net.httpserver.maxReqTime}
 * and {@code maxRspTime}, set here unless given on the command line). Without them, a few
 * connections holding half-sent requests open kept {@code /health/live} from answering, and the
 * liveness probe restarted a healthy worker.
 */
public final class MonitoringServer implements AutoCloseable {
    /** The monitoring port unless {@code --metrics-port} says otherwise. */
    public static final int DEFAULT_PORT = 8080;
    /** All interfaces, so Prometheus and probes reach a container. */
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final String METRICS_PATH = "/metrics";
    public static final String LIVE_PATH = "/health/live";
    public static final String READY_PATH = "/health/ready";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    /** Requests served side by side; more wait (briefly: slow ones are cut off). */
    static final int THREADS = 64;
    static final int MAX_REQUEST_SECONDS = 5;
    static final int MAX_RESPONSE_SECONDS = 30;

    static {
        // Read once, when the JDK server's configuration class loads: before the first server is created.
        System.setProperty("sun.net.httpserver.maxReqTime",
                System.getProperty("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS)));
        System.setProperty("sun.net.httpserver.maxRspTime",
                System.getProperty("sun.net.httpserver.maxRspTime", Integer.toString(MAX_RESPONSE_SECONDS)));
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private MonitoringServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Listens on {@code address} (port 0: any free port) and serves until closed. */
    public static MonitoringServer start(InetSocketAddress address, PrometheusMeterRegistry registry,
                                         WorkerHealth health) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "fashion-monitoring-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                route(exchange, registry, health);
            }
        });
        server.start();
        return new MonitoringServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void route(HttpExchange exchange, PrometheusMeterRegistry registry, WorkerHealth health)
            throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        switch (exchange.getRequestURI().getPath()) {
            case METRICS_PATH -> metrics(exchange, registry);
            case LIVE_PATH -> health(exchange, health::liveness);
            case READY_PATH -> health(exchange, health::readiness);
            default -> respond(exchange, 404, "text/plain; charset=utf-8",
                    ("not found; try " + METRICS_PATH + ", " + LIVE_PATH + " or " + READY_PATH + "\n")
                            .getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void metrics(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        String contentType = accept != null && accept.contains("application/openmetrics-text")
                ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
        registry.scrape(body, contentType);
        respond(exchange, 200, contentType, body.toByteArray());
    }

    private static void health(HttpExchange exchange, Supplier<WorkerHealth.Report> check) throws IOException {
        WorkerHealth.Report report = check.get();
        byte[] body = (Json.line(report.body()) + "\n").getBytes(StandardCharsets.UTF_8);
        respond(exchange, report.up() ? 200 : 503, "application/json", body);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
