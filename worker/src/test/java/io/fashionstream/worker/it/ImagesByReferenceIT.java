package io.fashionstream.worker.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.fetch.FetchSettings;
import io.fashionstream.worker.it.KafkaTestClient.Topics;
import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.records.DeadLetters;
import io.fashionstream.worker.testing.TestInputs;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.fashionstream.worker.it.KafkaTestClient.assertEachExactlyOnce;
import static io.fashionstream.worker.it.KafkaTestClient.countById;
import static io.fashionstream.worker.it.KafkaTestClient.header;
import static io.fashionstream.worker.it.KafkaTestClient.input;
import static io.fashionstream.worker.it.KafkaTestClient.json;
import static io.fashionstream.worker.it.KafkaTestClient.key;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Images by reference on a real broker, served by a loopback HTTP server: classified as the same
 * bytes would be; refused, slow, oversized and flaky servers answered with the right dead letter
 * while the other records go on; a worker killed in the middle of fetches repeats and loses nothing.
 */
class ImagesByReferenceIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static EmbeddedKafka broker;
    private static ServingModel model;
    private static Dl4jEngine reference;
    private static HttpServer server;
    private static String base;
    private static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafka.start(WorkerContract.QUICK_SESSIONS, Map.of());
        model = TestInputs.servingSimple(EngineKind.ONNXRUNTIME);
        reference = new Dl4jEngine(TestInputs.simpleModel().network());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", ImagesByReferenceIT::serve);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop(0);
        reference.close();
        model.close();
        broker.close();
    }

    /** /img/N.png: test image N; /slow/N.png after 3 s; /flaky/N.png: 503 the first time; /big: 50 MB; /redirect: to localhost. */
    private static void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            int count = hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            if (path.startsWith("/slow/")) {
                sleep(3000);
            } else if (path.startsWith("/pause/")) {
                sleep(150);
            }
            if (path.equals("/big")) {
                ex.sendResponseHeaders(200, 50L << 20);
                ex.getResponseBody().write(new byte[1 << 20]);
                return;
            }
            if (path.equals("/redirect")) {
                ex.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/img/1.png");
                ex.sendResponseHeaders(302, -1);
                return;
            }
            if (path.startsWith("/flaky/") && count == 1) {
                ex.sendResponseHeaders(503, -1);
                return;
            }
            byte[] png = TestInputs.png(Integer.parseInt(path.replaceAll(".*/(\\d+)\\.png", "$1")));
            ex.sendResponseHeaders(200, png.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(png);
            }
        } catch (IOException | RuntimeException e) {
            // the client gave up on it: what some tests are about
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ProducerRecord<byte[], byte[]> ref(String topic, String key, String url) {
        return input(topic, key, (url + "\r\n").getBytes(StandardCharsets.UTF_8), "content-type", "text/uri-list");
    }

    private static WorkerConfig config(Topics t, long fetchTimeoutMs) {
        return WorkerConfig.builder().bootstrapServers(broker.bootstrapServers())
                .inputTopic(t.input()).resultsTopic(t.results()).deadLetterTopic(t.deadLetters())
                .reviewTopic(t.review()).groupId(t.group()).transactionalIdPrefix("ref-" + t.group())
                .model("simple").modelsDir(TestInputs.MODELS_DIR).maxBatch(16)
                .fetch(new FetchSettings(List.of("127.0.0.1/32"), true, 16, 8, Duration.ofMillis(500),
                        Duration.ofMillis(Math.min(1000, fetchTimeoutMs)), Duration.ofMillis(fetchTimeoutMs), 3))
                .build();
    }

    @Test
    void referencesAreClassifiedLikeTheirBytesAndTheResultSaysWhatWasFetched() throws Exception {
        KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());
        Topics t = kafka.createTopics();
        int n = 48;
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            in.add(ref(t.input(), "item-" + i, base + "/img/" + i + ".png"));
        }
        MeterRegistry registry = new SimpleMeterRegistry();
        try (WorkerPool pool = WorkerPool.start(config(t, 5000), model, registry)) {
            kafka.send(in);
            List<ConsumerRecord<byte[], byte[]>> results = kafka.readCommitted(List.of(t.results()), r -> r.size() >= n,
                    TIMEOUT);
            assertEachExactlyOnce(results, 0, n);
            for (ConsumerRecord<byte[], byte[]> r : results) {
                int i = Integer.parseInt(key(r).substring("item-".length()));
                JsonNode v = json(r);
                byte[] png = TestInputs.png(i);
                assertEquals(TestInputs.expectedLabel(reference, png), v.get("label").asInt(), "as the bytes: " + key(r));
                assertEquals(base + "/img/" + i + ".png", v.get("fetched").get("url").asText());
                assertEquals(png.length, v.get("fetched").get("bytes").asInt());
                assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png)),
                        v.get("fetched").get("sha256").asText());
            }
            assertEquals(n, registry.get("fashion.fetch").tag("outcome", "ok").tag("host", "127.0.0.1/32").timer().count());
        }
    }

    @Test
    void refusedSlowOversizedAndFlakyReferencesEachGetTheirAnswerWhileTheOthersGoOn() throws Exception {
        KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());
        Topics t = kafka.createTopics();
        Map<String, String> urls = new java.util.LinkedHashMap<>();
        urls.put("not-listed", "http://images.example.test/img/1.png");
        urls.put("redirect-off-list", base + "/redirect");
        urls.put("https-only", "ftp://127.0.0.1/img/1.png");
        urls.put("slow", base + "/slow/2.png");
        urls.put("big", base + "/big");
        urls.put("missing", base + "/img/notanumber.png");
        urls.put("flaky", base + "/flaky/3.png");
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        urls.forEach((key, url) -> in.add(ref(t.input(), key, url)));
        in.add(input(t.input(), "two-urls", (base + "/img/4.png\r\n" + base + "/img/5.png\r\n")
                .getBytes(StandardCharsets.UTF_8), "content-type", "text/uri-list"));
        for (int i = 10; i < 30; i++) {
            in.add(ref(t.input(), "good-" + i, base + "/img/" + i + ".png"));
        }
        int n = in.size();
        try (WorkerPool pool = WorkerPool.start(config(t, 1500), model, new SimpleMeterRegistry())) {
            kafka.send(in);
            List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted(List.of(t.results(), t.deadLetters()),
                    r -> countById(r).size() >= n, TIMEOUT);
            Map<String, ConsumerRecord<byte[], byte[]>> byKey = new java.util.HashMap<>();
            out.forEach(r -> byKey.put(key(r), r));
            assertEquals(n, byKey.size());
            assertEquals(n, out.size(), "each answered once");
            Map<String, String> expected = Map.of("not-listed", "fetch_forbidden", "redirect-off-list", "fetch_forbidden",
                    "https-only", "fetch_forbidden", "slow", "fetch_timeout", "big", "fetch_too_large",
                    "missing", "fetch_failed", "two-urls", "fetch_failed");
            expected.forEach((key, reason) -> {
                ConsumerRecord<byte[], byte[]> r = byKey.get(key);
                assertEquals(t.deadLetters(), r.topic(), key);
                assertEquals(reason, header(r, DeadLetters.ERROR_REASON), key + ": " + header(r, DeadLetters.ERROR_MESSAGE));
            });
            assertArrayEquals((urls.get("slow") + "\r\n").getBytes(StandardCharsets.UTF_8), byKey.get("slow").value(),
                    "a dead letter keeps the reference as it came");
            assertEquals(t.results(), byKey.get("flaky").topic(), "503, then fetched on a retry");
            assertEquals(2, hits.get("/flaky/3.png").get());
            assertEquals(null, hits.get("/img/1.png"), "the redirect's target was never asked");
            for (int i = 10; i < 30; i++) {
                assertEquals(t.results(), byKey.get("good-" + i).topic(), "good-" + i);
            }
        }
    }

    @Test
    void aListedNameThatResolvesToLoopbackIsRefusedWithoutAConnection() throws Exception {
        KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());
        Topics t = kafka.createTopics();
        // "localhost" is on the list, but the loopback address it resolves to is in no listed range
        WorkerConfig config = config(t, 2000).toBuilder().fetchAllow(List.of("localhost")).build();
        String path = "/img/7.png";
        try (WorkerPool pool = WorkerPool.start(config, model, new SimpleMeterRegistry())) {
            kafka.send(List.of(ref(t.input(), "item-0", "http://localhost:" + server.getAddress().getPort() + path)));
            List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted(List.of(t.results(), t.deadLetters()),
                    r -> !r.isEmpty(), TIMEOUT);
            assertEquals(1, out.size());
            assertEquals(t.deadLetters(), out.get(0).topic());
            assertEquals("fetch_forbidden", header(out.get(0), DeadLetters.ERROR_REASON));
            assertTrue(header(out.get(0), DeadLetters.ERROR_MESSAGE).contains("internal address"),
                    header(out.get(0), DeadLetters.ERROR_MESSAGE));
            assertEquals(null, hits.get(path), "the server was never asked");
        }
    }

    @Test
    void aWorkerKilledInTheMiddleOfFetchesRepeatsAndLosesNothing() throws Exception {
        KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());
        Topics t = kafka.createTopics();
        int n = 300;
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            in.add(ref(t.input(), "item-" + i, base + "/pause/" + i + ".png")); // 150 ms each
        }
        kafka.send(in);
        Process victim = WorkerProcess.start("ref-killed-" + t.group(), List.of("run", "--bootstrap-servers",
                broker.bootstrapServers(), "--input-topic", t.input(), "--results-topic", t.results(),
                "--dead-letter-topic", t.deadLetters(), "--review-topic", t.review(), "--group-id", t.group(),
                "--transactional-id-prefix", "ref-" + t.group(), "--model", "simple", "--models-dir",
                TestInputs.MODELS_DIR.toString(), "--metrics-port", "0", "--max-batch", "16",
                "--fetch-allow", "127.0.0.1/32", "--fetch-allow-http", "--fetch-concurrency", "8"));
        try {
            int before = kafka.readCommitted(List.of(t.results()), r -> r.size() >= 60, TIMEOUT).size();
            assertTrue(before >= 60 && before < n, before + " answered before the kill: it must die mid-stream");
        } finally {
            victim.destroyForcibly(); // SIGKILL with fetches in flight
            victim.waitFor(30, TimeUnit.SECONDS);
        }
        try (WorkerPool successor = WorkerPool.start(config(t, 5000), model, new SimpleMeterRegistry())) {
            List<ConsumerRecord<byte[], byte[]>> results = kafka.readCommitted(List.of(t.results()),
                    r -> countById(r).size() >= n, TIMEOUT);
            assertEachExactlyOnce(results, 0, n);
            assertTrue(results.stream().allMatch(r -> json(r).has("fetched")));
        }
    }
}
