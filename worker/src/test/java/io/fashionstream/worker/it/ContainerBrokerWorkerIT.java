package io.fashionstream.worker.it;

import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The same contract on the official {@code apache/kafka} image; skipped where Docker is absent. */
@EnabledIf(value = "io.fashionstream.worker.testing.Tools#dockerAvailable",
        disabledReason = "no Docker engine here (DOCKER_HOST unset, no /var/run/docker.sock)")
@Testcontainers(disabledWithoutDocker = true)
class ContainerBrokerWorkerIT extends WorkerContract {
    @Container
    static final KafkaContainer BROKER = new KafkaContainer("apache/kafka:4.3.2")
            .withEnv("KAFKA_GROUP_CONSUMER_SESSION_TIMEOUT_MS", QUICK_SESSIONS.get("group.consumer.session.timeout.ms"))
            .withEnv("KAFKA_GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS", QUICK_SESSIONS.get("group.consumer.min.session.timeout.ms"));

    @Override
    String bootstrapServers() {
        return BROKER.getBootstrapServers();
    }
}
