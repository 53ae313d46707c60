package io.fashionstream.worker.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Micrometer's Kafka client binder for every consumer and producer of a pool: fetch lag per
 * partition ({@code kafka_consumer_fetch_manager_records_lag}), request rates, transaction
 * times. Kafka registers per-partition metrics only once partitions are assigned, so the binders
 * look for new ones every {@link #REFRESH} rather than Micrometer's default minute.
 */
final class KafkaClientMeters implements AutoCloseable {
    static final Duration REFRESH = Duration.ofSeconds(5);

    private final MeterRegistry registry;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fashion-kafka-meters");
        t.setDaemon(true);
        return t;
    });
    private final List<KafkaClientMetrics> binders = new ArrayList<>();

    KafkaClientMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void bind(Consumer<?, ?> consumer, Producer<?, ?> producer) {
        add(new KafkaClientMetrics(consumer, List.of(), scheduler, REFRESH));
        add(new KafkaClientMetrics(producer, List.of(), scheduler, REFRESH));
    }

    private void add(KafkaClientMetrics binder) {
        binder.bindTo(registry);
        binders.add(binder);
    }

    /** Removes the clients' meters and stops refreshing them. */
    @Override
    public void close() {
        binders.forEach(KafkaClientMetrics::close);
        scheduler.shutdownNow();
    }
}
