package io.fashionstream.worker.produce;

import io.fashionstream.worker.records.LabelHeader;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * Sends the images of an {@link ImageSource} to the input topic, cycling through it, as fast as
 * possible or at a fixed rate: key = item id, value = the image bytes, a {@code label} header
 * when the class is known, the send time as the record timestamp (the start of the end-to-end
 * latency). A record Kafka refuses is counted and reported, not retried.
 */
public final class ImageSender implements AutoCloseable {
    /** Told of each record handed to the producer. */
    @FunctionalInterface
    public interface SentListener {
        void sent(String key, long timestampMillis);
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstError = new AtomicReference<>();

    /** {@code prefix} and the sequence number in at least 7 digits ({@code item-0000042}), without a formatter's cost. */
    public static String sequenceKey(String prefix, long seq) {
        String digits = Long.toString(seq);
        return digits.length() >= 7 ? prefix + digits : prefix + "0".repeat(7 - digits.length()) + digits;
    }

    public ImageSender(Map<String, Object> clientProps, String clientId, String topic) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // In order, one request at a time: on fresh topics a retried first batch must not fall behind.
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        this.producer = new KafkaProducer<>(props);
        this.topic = topic;
    }

    /**
     * Sends {@code count} images (the source is cycled; {@link Long#MAX_VALUE} means until
     * stopped) at {@code ratePerSec} (0: as fast as possible), keyed by {@code keys} (sequence
     * number and item), and waits for them to be acknowledged. Stops early when {@code stop}
     * says so; returns how many images it took from the source, {@link #failed()} of them
     * unreadable or refused by Kafka.
     */
    public long send(ImageSource source, long count, double ratePerSec, BiFunction<Long, ImageSource.Item, String> keys,
                     SentListener listener, BooleanSupplier stop) {
        long start = System.nanoTime();
        long taken = 0;
        for (long i = 0; i < count && !stop.getAsBoolean(); i++) {
            if (ratePerSec > 0) {
                long wait = start + (long) (i * 1e9 / ratePerSec) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            ImageSource.Item item;
            try {
                item = source.item((int) (i % source.size()));
            } catch (IOException e) {
                fail(e);
                taken++;
                continue;
            }
            String key = keys.apply(i, item);
            long now = System.currentTimeMillis();
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, now,
                    key.getBytes(StandardCharsets.UTF_8), item.bytes());
            if (item.label() != null) {
                record.headers().add(LabelHeader.NAME,
                        Integer.toString(item.label().ordinal()).getBytes(StandardCharsets.UTF_8));
            }
            listener.sent(key, now);
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    fail(error);
                }
            });
            taken++;
        }
        producer.flush();
        return taken;
    }

    private void fail(Exception e) {
        failed.incrementAndGet();
        firstError.compareAndSet(null, e);
    }

    /** Images that could not be read or that Kafka refused. */
    public long failed() {
        return failed.get();
    }

    /** The first failure, or null. */
    public Exception firstError() {
        return firstError.get();
    }

    @Override
    public void close() {
        producer.close();
    }
}
