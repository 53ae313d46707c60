package io.fashionstream.tools.demo;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fashionstream.core.Json;
import io.fashionstream.worker.records.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Reads the results and dead-letter topics as a {@code read_committed} consumer would, on its
 * own thread, and keeps the demo's running figures: how many inputs were answered and how,
 * accuracy, end-to-end latency (send to visible result) and duplicates, which must stay zero.
 */
public final class ResultTally implements Runnable {
    /**
     * Running figures at one moment.
     *
     * @param p99ClassifiedMs p99 of the results' own latency (input timestamp to result made, in
     *                        the worker), which leaves out the commit and the reader: the
     *                        difference from {@code p99Ms} is what they added
     */
    public record Snapshot(long classified, long deadLettered, long correct, long labelled, long duplicates,
                           double p50Ms, double p95Ms, double p99Ms, double p99ClassifiedMs, double meanBatchSize,
                           long firstAnswerMillis, long lastAnswerMillis) {
        public long answered() {
            return classified + deadLettered;
        }

        public double accuracy() {
            return labelled == 0 ? Double.NaN : (double) correct / labelled;
        }
    }

    /** Told of each input's first answer as it is read: which input partition it came from, and when. */
    @FunctionalInterface
    public interface AnswerListener {
        void answered(String id, int inputPartition, long nanoTime);
    }

    /** The fields of a result the tally counts; the rest (the scores above all) is skipped, not parsed. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Counted(int partition, long batchSize, double latencyMs, Boolean correct, String release, String role) {
    }

    private static final ObjectReader COUNTED = Json.MAPPER.readerFor(Counted.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String resultsTopic;
    private final SendLog sent;
    private final AnswerListener listener;
    private final Samples visible = new Samples();
    /** Latencies of inputs sent before {@link #latencyFromMillis}: a lead-in, kept apart. */
    private final Samples leadIn = new Samples();
    private long latencyFromMillis;
    private final Samples classifiedAt = new Samples();
    private long classified;
    private long deadLettered;
    private long correct;
    private long labelled;
    private long duplicates;
    private final Map<String, Long> byRelease = new HashMap<>();
    private final Map<String, Long> firstByRelease = new HashMap<>();
    private long batchSizeSum;
    private long firstAnswerMillis;
    private long lastAnswerMillis;
    private volatile boolean stopped;

    /** {@code sent}: when each input was sent (filled by the sender while this runs); answers to other keys are skipped. */
    public ResultTally(Map<String, Object> clientProps, String resultsTopic, String deadLetterTopic, SendLog sent) {
        this(clientProps, resultsTopic, deadLetterTopic, sent, (id, partition, nanos) -> { });
    }

    /** As above, and tells {@code listener} of each input's first answer. */
    public ResultTally(Map<String, Object> clientProps, String resultsTopic, String deadLetterTopic,
                       SendLog sent, AnswerListener listener) {
        this.listener = listener;
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fashion-demo-tally");
        this.consumer = new KafkaConsumer<>(props);
        this.resultsTopic = resultsTopic;
        this.sent = sent;
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(resultsTopic, deadLetterTopic)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                // Answers became visible when the poll returned them, not as the tally got through the ones before.
                long visibleAt = System.currentTimeMillis();
                long visibleAtNanos = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    count(record, visibleAt, visibleAtNanos);
                }
            }
        } finally {
            consumer.close();
        }
    }

    public void stop() {
        stopped = true;
    }

    /**
     * Waits until {@code expected} inputs are answered, {@code cancelled} says stop, or no
     * answer has come for {@code stall}; returns whether all were answered.
     */
    public boolean awaitAnswered(long expected, Duration stall, BooleanSupplier cancelled) throws InterruptedException {
        long lastCount = -1;
        long lastChange = System.nanoTime();
        while (!cancelled.getAsBoolean()) {
            long answered = answered();
            if (answered >= expected) {
                return true;
            }
            if (answered != lastCount) {
                lastCount = answered;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > stall.toNanos()) {
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private synchronized void count(ConsumerRecord<byte[], byte[]> record, long now, long nanos) {
        long sentAt = sent.answer(record.key());
        if (sentAt == SendLog.NOT_SENT) {
            return; // not one of ours
        }
        if (sentAt == SendLog.ANSWERED_BEFORE) {
            duplicates++;
            return;
        }
        String id = new String(record.key(), StandardCharsets.UTF_8);
        (sentAt >= latencyFromMillis ? visible : leadIn).add(now - sentAt);
        if (firstAnswerMillis == 0) {
            firstAnswerMillis = now;
        }
        lastAnswerMillis = now;
        if (!record.topic().equals(resultsTopic)) {
            deadLettered++;
            Header source = record.headers().lastHeader(DeadLetters.SOURCE_PARTITION);
            listener.answered(id, source == null ? -1 : Integer.parseInt(new String(source.value(), StandardCharsets.UTF_8)),
                    nanos);
            return;
        }
        classified++;
        try {
            Counted result = COUNTED.readValue(record.value());
            listener.answered(id, result.partition(), nanos);
            if (result.release() != null) {
                String servedBy = result.release() + " " + result.role();
                byRelease.merge(servedBy, 1L, Long::sum);
                firstByRelease.putIfAbsent(servedBy, nanos);
            }
            batchSizeSum += result.batchSize();
            if (sentAt >= latencyFromMillis) {
                classifiedAt.add((long) result.latencyMs());
            }
            if (result.correct() != null) {
                labelled++;
                if (result.correct()) {
                    correct++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("result of " + id + " is not JSON: " + e.getMessage(), e);
        }
    }

    /** Results so far by the release and role that gave them ({@code "<release> <role>"}). */
    public synchronized Map<String, Long> answersByRelease() {
        return Map.copyOf(byRelease);
    }

    /**
     * When ({@link System#nanoTime()}) the first result by {@code "<release> <role>"} since the last
     * {@link #forgetFirstAnswers()} was read, or -1.
     */
    public synchronized long firstAnswerBy(String releaseAndRole) {
        return firstByRelease.getOrDefault(releaseAndRole, -1L);
    }

    /** Starts looking for first answers afresh (a bench's next step). */
    public synchronized void forgetFirstAnswers() {
        firstByRelease.clear();
    }

    /** Inputs answered so far: cheap, for polling loops (no percentile sort). */
    public synchronized long answered() {
        return classified + deadLettered;
    }

    /**
     * Times only inputs sent from {@code sentAtMillis} on in the snapshot's percentiles; those sent
     * before are a lead-in (fresh clients, fresh topics), whose p99 {@link #leadInP99Ms} gives apart.
     */
    public synchronized void timeLatencyFrom(long sentAtMillis) {
        latencyFromMillis = sentAtMillis;
    }

    /** p99 from send to visible of the inputs sent before {@link #timeLatencyFrom}; NaN when none. */
    public synchronized double leadInP99Ms() {
        return percentile(leadIn.sorted(), 0.99);
    }

    public synchronized Snapshot snapshot() {
        long[] sorted = visible.sorted();
        return new Snapshot(classified, deadLettered, correct, labelled, duplicates, percentile(sorted, 0.50),
                percentile(sorted, 0.95), percentile(sorted, 0.99), percentile(classifiedAt.sorted(), 0.99),
                classified == 0 ? 0 : (double) batchSizeSum / classified, firstAnswerMillis, lastAnswerMillis);
    }

    /** A growing list of latencies in ms. */
    private static final class Samples {
        private long[] values = new long[1024];
        private int count;

        void add(long ms) {
            if (count == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[count++] = ms;
        }

        long[] sorted() {
            long[] sorted = Arrays.copyOf(values, count);
            Arrays.sort(sorted);
            return sorted;
        }
    }

    /** Nearest-rank percentile; NaN when empty. */
    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
