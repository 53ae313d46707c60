package io.fashionstream.worker.release;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * Which inputs a canary answers: those whose key hashes (murmur2, as Kafka's partitioner) into
 * the first {@code share} of 10,000 buckets, so an item always meets the same release while the
 * share stays, and raising the share only adds items to the canary. An input without a key is
 * placed by its topic, partition and offset: the same each time it is answered again.
 */
public final class CanarySplit {
    static final int BUCKETS = 10_000;

    private CanarySplit() {
    }

    /** The input's bucket, in {@code [0, 10000)}. */
    public static int bucket(ConsumerRecord<byte[], byte[]> record) {
        byte[] key = record.key() != null ? record.key()
                : (record.topic() + "/" + record.partition() + "/" + record.offset()).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % BUCKETS;
    }

    /** Whether a canary with {@code share} (0 to 1) answers this input. */
    public static boolean toCanary(ConsumerRecord<byte[], byte[]> record, double share) {
        return share > 0 && bucket(record) < Math.round(share * BUCKETS);
    }
}
