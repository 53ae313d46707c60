package io.fashionstream.tools.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.core.photo.CatalogPhotos;
import io.fashionstream.core.photo.PhotoVariation;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.tools.demo.DemoTopics;
import io.fashionstream.tools.demo.ResultTally;
import io.fashionstream.tools.demo.SendLog;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.kafka.WorkerPool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Photos by reference against the same photos as bytes, in one run: a loopback HTTP server serves
 * 600x800 JPEG catalog photos after a set latency, answering a share of first requests with 503
 * (fetched again on a retry) and a share with 404 (dead-lettered); one worker process's pool, the
 * defaults otherwise, answers a backlog of each kind on its own topics.
 */
final class FetchBench {
    /** One kind of input and how fast it was answered. */
    record Run(String inputs, int images, long classified, long deadLettered, double seconds, double perSecond,
               Double fetchMeanMs, Double fetchMaxMs) {
    }

    /** The bench's outcome. */
    record Report(String machine, String model, int distinctPhotos, long serverLatencyMs, double retriedShare,
                  double missingShare, List<Run> runs, double referenceToBytesRatio) {
    }

    private final LabelledImages test;
    private final ServingModel model;
    private final WorkerConfig base;
    private final int images;
    private final int distinct;
    private final long latencyMs;
    private final double retriedShare;
    private final double missingShare;
    private final PrintWriter err;

    FetchBench(LabelledImages test, ServingModel model, WorkerConfig base, int images, int distinct, long latencyMs,
               double retriedShare, double missingShare, PrintWriter err) {
        this.test = test;
        this.model = model;
        this.base = base;
        this.images = images;
        this.distinct = distinct;
        this.latencyMs = latencyMs;
        this.retriedShare = retriedShare;
        this.missingShare = missingShare;
        this.err = err;
    }

    List<Run> run() throws Exception {
        err.printf("rendering %d distinct 600x800 JPEG photos%n", distinct);
        Random random = new Random(42);
        List<byte[]> photos = new ArrayList<>();
        for (int i = 0; i < distinct; i++) {
            photos.add(CatalogPhotos.sized(test.image(i), 600, 800, PhotoVariation.Format.JPEG, random));
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(Executors.newFixedThreadPool(256));
        Map<Integer, AtomicInteger> asked = new ConcurrentHashMap<>();
        server.createContext("/photo/", exchange -> serve(exchange, photos, asked));
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/photo/";
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            List<Run> runs = new ArrayList<>();
            runs.add(measure(broker, "bytes", i -> photos.get(i % distinct), false));
            runs.add(measure(broker, "references", i -> (url + i + "\r\n").getBytes(StandardCharsets.UTF_8), true));
            return runs;
        } finally {
            server.stop(0);
        }
    }

    /** Photo {@code n}: after the latency; 404 for the missing share, 503 the first time for the retried share. */
    private void serve(HttpExchange exchange, List<byte[]> photos, Map<Integer, AtomicInteger> asked) throws IOException {
        try (exchange) {
            int n = Integer.parseInt(exchange.getRequestURI().getPath().substring("/photo/".length()));
            int times = asked.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(latencyMs);
            double draw = new Random(n * 0x9E3779B97F4A7C15L).nextDouble();
            if (draw < missingShare) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (draw < missingShare + retriedShare && times == 1) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            byte[] photo = photos.get(n % photos.size());
            exchange.sendResponseHeaders(200, photo.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(photo);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // the worker gave up on it
        }
    }

    private interface Values {
        byte[] value(int i);
    }

    private Run measure(EmbeddedKafka broker, String inputs, Values values, boolean byReference) throws Exception {
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        WorkerConfig config = DemoTopics.forFreshRun(base.toBuilder().bootstrapServers(broker.bootstrapServers()).build(),
                "fetch-" + inputs);
        DemoTopics.create(client, config);
        SendLog sentAt = new SendLog("photo-"); // the tally counts only the ids it was told of
        ResultTally tally = new ResultTally(client, config.resultsTopic(), config.deadLetterTopic(), sentAt);
        Thread reader = new Thread(tally, "fetch-bench-reader");
        reader.start();
        // The backlog first, then the worker: what is timed is answering, from the moment it has joined.
        try (KafkaProducer<byte[], byte[]> producer = BenchProducer.open(broker.bootstrapServers())) {
            err.printf("%s: %,d photos%n", inputs, images);
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            for (int i = 0; i < images; i++) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(config.inputTopic(),
                        ("photo-" + i).getBytes(StandardCharsets.UTF_8), values.value(i));
                if (byReference) {
                    r.headers().add("content-type", "text/uri-list".getBytes(StandardCharsets.UTF_8));
                }
                sentAt.sent("photo-" + i, System.currentTimeMillis());
                producer.send(r, (meta, e) -> {
                    if (e != null) {
                        sendFailure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            if (sendFailure.get() != null) {
                throw new IllegalStateException(inputs + ": Kafka refused an input: " + sendFailure.get(), sendFailure.get());
            }
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (WorkerPool pool = WorkerPool.start(config, model, registry)) {
            while (!pool.allJoined()) {
                Thread.sleep(10);
            }
            long start = System.nanoTime();
            if (!tally.awaitAnswered(images, Duration.ofSeconds(60), () -> false)) {
                throw new IllegalStateException(inputs + ": answers stopped coming at " + tally.answered() + " of " + images
                        + "; the workers: " + pool.statuses());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            ResultTally.Snapshot s = tally.snapshot();
            err.printf("%s: %,d answered in %.1f s, %.0f photos/s (%,d dead letters)%n", inputs, s.answered(), seconds,
                    images / seconds, s.deadLettered());
            var fetches = registry.find("fashion.fetch").tag("outcome", "ok").timer();
            Double mean = fetches == null ? null : Math.round(fetches.mean(TimeUnit.MILLISECONDS) * 10) / 10.0;
            Double max = fetches == null ? null : Math.round(fetches.max(TimeUnit.MILLISECONDS) * 10) / 10.0;
            if (fetches != null) {
                err.printf("%s: fetches %.1f ms on average, %.1f ms at most (the last minute)%n", inputs, mean, max);
            }
            return new Run(inputs, images, s.classified(), s.deadLettered(), Math.round(seconds * 100) / 100.0,
                    Math.round(images / seconds), mean, max);
        } finally {
            tally.stop();
            reader.join();
        }
    }
}
