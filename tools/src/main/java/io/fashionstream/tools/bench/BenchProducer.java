package io.fashionstream.tools.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.Map;

/** The producer a bench feeds its inputs with. */
final class BenchProducer {
    private BenchProducer() {
    }

    /** Bytes in, up to 4 MB a record, batched for 5 ms. */
    static KafkaProducer<byte[], byte[]> open(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // one request in flight: on a just-created topic a retried first batch could otherwise
                // land behind later ones and be refused as out of sequence
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1));
    }
}
