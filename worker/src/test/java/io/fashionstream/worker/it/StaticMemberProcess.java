package io.fashionstream.worker.it;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A consumer-protocol static member in a JVM of its own, for a test to SIGKILL: joins
 * {@code args[1]} as {@code args[3]} reading {@code args[2]} from {@code args[0]}, prints
 * {@code joined <member id>} once it has partitions, then keeps polling until killed.
 */
public final class StaticMemberProcess {
    private StaticMemberProcess() {
    }

    public static void main(String[] args) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                ConsumerConfig.GROUP_ID_CONFIG, args[1], ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, args[3],
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(args[2]));
            boolean announced = false;
            while (true) {
                consumer.poll(Duration.ofMillis(200));
                if (!announced && !consumer.assignment().isEmpty()) {
                    System.out.println("joined " + consumer.groupMetadata().memberId());
                    System.out.flush();
                    announced = true;
                }
            }
        }
    }
}
