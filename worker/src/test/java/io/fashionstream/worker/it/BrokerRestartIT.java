package io.fashionstream.worker.it;

import io.fashionstream.kafkakit.PrometheusServer;

import io.fashionstream.kafkakit.KafkaBrokerProcess;
import io.fashionstream.worker.it.KafkaTestClient.Topics;
import io.fashionstream.worker.testing.TestInputs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.fashionstream.worker.it.KafkaTestClient.assertEachExactlyOnce;
import static io.fashionstream.worker.it.KafkaTestClient.labelledRaw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stock broker in a process of its own, SIGKILLed and started again on its data while a
 * packaged worker runs under a steady load: the worker rides it out without a restart of its
 * own, answers every input exactly once, and its readiness turns 503 (saying why) and back to
 * 200, while liveness stays 200 throughout.
 */
class BrokerRestartIT {
    private static final int INPUTS = 3000;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theWorkerRidesOutABrokerRestartExactlyOnceAndReadinessSaysSo() throws Exception {
        // A restarted node re-registers once its old registration expires: 3 s here, Kafka's default is 9 s.
        // Group heartbeats every second (Kafka's default: 5 s), well inside the worker's 3 s stall timeout.
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(Map.of("broker.session.timeout.ms", "3000",
                "broker.heartbeat.interval.ms", "1000", "group.consumer.heartbeat.interval.ms", "1000",
                "group.consumer.min.heartbeat.interval.ms", "1000"))) {
            KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());
            Topics t = kafka.createTopics();
            int port = PrometheusServer.freePort();
            String log = "broker-restart-" + t.group();
            Process worker = WorkerProcess.start(log, List.of("run", "--bootstrap-servers", broker.bootstrapServers(),
                    "--input-topic", t.input(), "--results-topic", t.results(), "--dead-letter-topic", t.deadLetters(), "--review-topic", t.review(),
                    "--group-id", t.group(), "--transactional-id-prefix", "restart-" + t.group(),
                    "--model", "simple", "--models-dir", TestInputs.MODELS_DIR.toString(), "--max-batch", "16",
                    "--metrics-host", "127.0.0.1", "--metrics-port", Integer.toString(port), "--stall-timeout-ms", "3000"));
            Thread sender = steadySender(broker.bootstrapServers(), t.input());
            try {
                awaitStatus(port, "/health/ready", s -> s == 200, "ready before the outage", log);
                sender.start();
                kafka.readCommitted(List.of(t.results()), r -> r.size() >= 300, TIMEOUT);

                broker.kill();
                String notReady = awaitStatus(port, "/health/ready", s -> s == 503, "not ready during the outage", log);
                assertTrue(notReady.contains("problems"), notReady);
                assertEquals(200, get(port, "/health/live").statusCode(), "a broker outage does not fail liveness");
                broker.start();
                awaitStatus(port, "/health/ready", s -> s == 200, "ready again after the broker restart", log);

                sender.join(TIMEOUT.toMillis());
                assertEachExactlyOnce(kafka.readCommitted(List.of(t.results()), r -> r.size() >= INPUTS, TIMEOUT), 0, INPUTS);
                assertTrue(worker.isAlive(), "the worker rode the outage out\n" + WorkerProcess.log(log));
                String output = WorkerProcess.log(log);
                assertTrue(output.contains("lost contact with the Kafka broker"), output);
                assertTrue(output.contains("contact with the Kafka broker regained"), output);
            } finally {
                sender.interrupt();
                sender.join(TIMEOUT.toMillis());
                worker.destroy();
                worker.waitFor(30, TimeUnit.SECONDS);
            }
            assertEquals(0, worker.exitValue(), WorkerProcess.log(log));
        }
    }

    /** Sends the inputs at about 250 a second, through the outage (the producer buffers and retries). */
    private static Thread steadySender(String bootstrapServers, String topic) {
        return new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
                List<ProducerRecord<byte[], byte[]>> inputs = labelledRaw(topic, 0, INPUTS);
                for (int i = 0; i < inputs.size(); i++) {
                    producer.send(inputs.get(i));
                    if (i % 25 == 24) {
                        Thread.sleep(100);
                    }
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "steady-sender");
    }

    private static String awaitStatus(int port, String path, Predicate<Integer> wanted, String what, String log)
            throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = get(port, path);
                if (wanted.test(response.statusCode())) {
                    return response.body();
                }
            } catch (IOException e) {
                // not serving yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting: " + what + "\n" + WorkerProcess.log(log));
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
