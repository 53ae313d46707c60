package io.fashionstream.kafkakit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus server (the {@code prometheus} binary on the PATH) running the project's
 * {@code deploy/prometheus/prometheus.yml} and alert rules, with the worker job pointed at one
 * local worker and everything scraped and evaluated every second, so that a test or a bench sees
 * data within seconds. Started by the observability tests and the drift drill.
 */
public final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts Prometheus with {@code deploy} (the project's {@code deploy/prometheus} folder) for its
     * configuration and rules, keeping its data and log in {@code workDir}, and waits until it is ready.
     */
    public static PrometheusServer start(Path deploy, Path workDir, String workerTarget) throws Exception {
        int port = freePort();
        Files.writeString(workDir.resolve("prometheus.yml"), new Yaml().dump(config(deploy, workerTarget, port)));
        Process process = new ProcessBuilder("prometheus", "--config.file=" + workDir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + workDir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(workDir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(process, port);
        server.awaitReady(Duration.ofSeconds(60));
        return server;
    }

    /** The deploy configuration, with this test's target, port, rule paths and 1 s intervals. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> config(Path deploy, String workerTarget, int port) throws IOException {
        Map<String, Object> config = new Yaml().load(Files.readString(deploy.resolve("prometheus.yml")));
        Map<String, Object> global = (Map<String, Object>) config.get("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        config.put("rule_files", ((List<String>) config.get("rule_files")).stream()
                .map(f -> deploy.resolve(f).toAbsolutePath().normalize().toString()).toList());
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            List<Map<String, Object>> statics = (List<Map<String, Object>>) job.get("static_configs");
            String target = job.get("job_name").equals("fashion-worker") ? workerTarget : "127.0.0.1:" + port;
            statics.forEach(s -> s.put("targets", List.of(target)));
        }
        return config;
    }

    /** The instant vector or scalar {@code promql} evaluates to now; throws if Prometheus refuses it. */
    public JsonNode query(String promql) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IllegalArgumentException("Prometheus refused '" + promql + "': " + body.path("error").asText());
        }
        return body.path("data").path("result");
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/-/ready")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Prometheus did not become ready (see prometheus.log in its work directory)");
    }

    /** A TCP port free on this machine now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
