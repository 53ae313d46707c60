package io.fashionstream.worker.demo;

import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.worker.pipeline.LabelHeader;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Sends the shipped test split to the input topic as PNG files with {@code label} headers,
 * cycling through it when more images are asked for, as fast as possible or at a fixed rate.
 */
final class TestSplitReplayer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final LabelledImages images;
    private final byte[][] pngs;
    private final AtomicReference<Exception> firstError = new AtomicReference<>();

    TestSplitReplayer(Map<String, Object> clientProps, String topic, LabelledImages images) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "fashion-demo-producer");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Sent in order, one request at a time: on fresh topics a retried first batch must not fall behind.
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        this.producer = new KafkaProducer<>(props);
        this.topic = topic;
        this.images = images;
        this.pngs = new byte[images.size()][];
    }

    /** The key of the {@code i}-th image sent. */
    static String key(long i) {
        return String.format("item-%07d", i);
    }

    /**
     * Sends {@code count} images; {@code ratePerSec} 0 means as fast as possible. Records each
     * send time in {@code sentAt} before sending. Stops early when {@code stop} says so; returns
     * how many were sent.
     */
    long send(long count, double ratePerSec, Map<String, Long> sentAt, BooleanSupplier stop) {
        long start = System.nanoTime();
        long sent = 0;
        for (long i = 0; i < count && !stop.getAsBoolean(); i++) {
            if (ratePerSec > 0) {
                long due = start + (long) (i * 1e9 / ratePerSec);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            int index = (int) (i % images.size());
            String key = key(i);
            long now = System.currentTimeMillis();
            sentAt.put(key, now);
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, now,
                    key.getBytes(StandardCharsets.UTF_8), png(index));
            record.headers().add(LabelHeader.NAME,
                    Integer.toString(images.label(index).ordinal()).getBytes(StandardCharsets.UTF_8));
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    firstError.compareAndSet(null, error);
                }
            });
            sent++;
        }
        producer.flush();
        if (firstError.get() != null) {
            throw new IllegalStateException("sending images failed: " + firstError.get(), firstError.get());
        }
        return sent;
    }

    private byte[] png(int index) {
        if (pngs[index] == null) {
            pngs[index] = PngImages.encodeGray(images.image(index), images.cols(), images.rows());
        }
        return pngs[index];
    }

    @Override
    public void close() {
        producer.close();
    }
}
