package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The acknowledgements of a batch's sends. Waiting for them before committing is what lets a
 * record Kafka refuses surface while the batch can still be aborted: a refusal that arrives once
 * a transactional commit has begun leaves the commit waiting until it times out, and a commit
 * that timed out can only be retried, never aborted.
 */
final class Acks {
    private final List<Future<RecordMetadata>> futures = new ArrayList<>();

    /** Hands {@code records} to the producer and keeps their acknowledgements. */
    void send(Producer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records) {
        for (ProducerRecord<byte[], byte[]> record : records) {
            futures.add(producer.send(record));
        }
    }

    /**
     * Waits up to {@code timeout} for every send. Throws the first failed send's error (Kafka's
     * own exception, e.g. {@code RecordTooLargeException}, or a {@code TimeoutException} for a
     * record that expired), or {@link StillPendingException} when some are still unanswered: those
     * may be awaited again.
     */
    void await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Future<RecordMetadata> future : futures) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new StillPendingException("sends not acknowledged within " + timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException("interrupted while waiting for acknowledgements", e);
            }
        }
    }

    /** Some sends are still in flight: a wait that ran out, not a send that failed. */
    static final class StillPendingException extends TimeoutException {
        private static final long serialVersionUID = 1L;

        StillPendingException(String message) {
            super(message);
        }
    }
}
