package io.fashionstream.worker.it;

import io.fashionstream.kafkakit.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/** The worker contract on Apache Kafka's own broker, started in this JVM (KRaft, one node). */
class EmbeddedBrokerWorkerIT extends WorkerContract {
    private static EmbeddedKafka broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafka.start(QUICK_SESSIONS, Map.of());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Override
    String bootstrapServers() {
        return broker.bootstrapServers();
    }
}
