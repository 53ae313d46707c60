package io.fashionstream.worker.kafka;

import io.fashionstream.worker.config.WorkerConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KafkaClientsTest {
    private final WorkerConfig.Builder config = WorkerConfig.builder().inputTopic("in").resultsTopic("out")
            .deadLetterTopic("dlq");

    @Test
    void socketBuffersAreLeftToTheOperatingSystem() {
        Map<String, Object> props = KafkaClients.common(config.build());
        assertEquals(-1, props.get(CommonClientConfigs.RECEIVE_BUFFER_CONFIG));
        assertEquals(-1, props.get(CommonClientConfigs.SEND_BUFFER_CONFIG));
    }

    @Test
    void socketBuffersTheUserSetAreKept() {
        Map<String, Object> props = KafkaClients.common(config.kafkaProperties(
                Map.of(CommonClientConfigs.RECEIVE_BUFFER_CONFIG, "1048576")).build());
        assertEquals("1048576", props.get(CommonClientConfigs.RECEIVE_BUFFER_CONFIG));
        assertEquals(-1, props.get(CommonClientConfigs.SEND_BUFFER_CONFIG));
    }
}
