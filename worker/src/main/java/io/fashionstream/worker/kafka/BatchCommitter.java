package io.fashionstream.worker.kafka;

import io.fashionstream.worker.pipeline.DeadLetters;
import io.fashionstream.worker.pipeline.PublishRefusedException;
import io.fashionstream.worker.pipeline.RecordOutcome;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Gets answers into Kafka with their input offsets, whatever Kafka throws on the way, so that no
 * input can hold up its partition. Batches are gathered into one unit (a transaction, under
 * exactly-once) for up to the commit interval, as Kafka Streams' {@code commit.interval.ms} does:
 * each batch's answers are sent at once ({@link #add}), and the unit commits once the interval
 * has passed since its first batch ({@link #commitIfDue}), or when asked ({@link #commitPending}).
 * On the way:
 * <ul>
 *   <li>transient errors (broker away, leaders moving, timeouts) are retried with backoff until
 *       they pass: an outage is not the inputs' fault, so it never turns them into dead letters;</li>
 *   <li>a refusal (a record over a size limit, an invalid record) is retried a few times, then the
 *       batch is split in halves, recursively, to find the inputs whose answers Kafka refuses; each
 *       is dead-lettered with the Kafka error as its reason ({@code publish_refused}), or, if Kafka
 *       refuses that too, with a minimal dead letter, and the rest is published;</li>
 *   <li>a rebalance ends in {@link RewindRequiredException}, a fatal error in {@link FatalWorkerException}.</li>
 * </ul>
 * Parts are committed in input order, so results of one partition keep their order.
 */
final class BatchCommitter {
    private static final Logger log = LoggerFactory.getLogger(BatchCommitter.class);
    /** Attempts at a refused batch, and at a refused single answer, before isolating or replacing it. */
    static final int REFUSAL_ATTEMPTS = 3;

    /** Answers gathered into one unit at most: a bound on what a failed commit makes redo. */
    static final int MAX_PENDING = 65_536;

    private final String worker;
    private final BatchPublisher publisher;
    private final DeadLetters deadLetters;
    private final Backoff backoff;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Consumer<List<RecordOutcome>> onCommitted;
    /** Answers sent in the open unit and not yet committed, in input order. */
    private final List<RecordOutcome> pending = new ArrayList<>();
    private long pendingSinceNanos;

    /**
     * @param interval    how long a unit gathers batches; zero commits every batch
     * @param onCommitted told of each part once it is committed, with what finally answered each input
     */
    BatchCommitter(String worker, BatchPublisher publisher, DeadLetters deadLetters, Backoff backoff, Duration interval,
                   LongSupplier nanoClock, Consumer<List<RecordOutcome>> onCommitted) {
        this.worker = worker;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.backoff = backoff;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.onCommitted = onCommitted;
    }

    /** Sends one batch's answers in the open unit and commits it if it is due; does not wait for Kafka otherwise. */
    void add(List<RecordOutcome> answers) {
        if (answers.isEmpty()) {
            return;
        }
        if (pending.isEmpty()) {
            pendingSinceNanos = nanoClock.getAsLong();
        }
        pending.addAll(answers);
        try {
            publisher.send(answers.stream().map(RecordOutcome::output).toList());
        } catch (KafkaException e) {
            // Sorted out by the commit, which meets the same error (or the producer's error state).
            commitPending();
            return;
        }
        commitIfDue();
    }

    /** Commits the open unit if its interval has passed (or it has grown to {@link #MAX_PENDING}). */
    void commitIfDue() {
        if (!pending.isEmpty() && (nanoClock.getAsLong() - pendingSinceNanos >= intervalNanos
                || pending.size() >= MAX_PENDING)) {
            commitPending();
        }
    }

    /** How long until the open unit is due, for a poll's timeout; {@code idleMillis} when none is open. */
    long millisUntilDue(long idleMillis) {
        if (pending.isEmpty()) {
            return idleMillis;
        }
        long left = intervalNanos - (nanoClock.getAsLong() - pendingSinceNanos);
        return Math.max(0, Math.min(idleMillis, (left + 999_999) / 1_000_000));
    }

    /** Answers sent and not yet committed. */
    int pendingCount() {
        return pending.size();
    }

    /** The inputs sent and not yet committed, in input order. */
    List<ConsumerRecord<byte[], byte[]>> pendingInputs() {
        return pending.stream().map(RecordOutcome::source).toList();
    }

    /**
     * Gives up the open unit without committing it (aborting its transaction): its partitions were
     * lost, so their new owner redoes them. Returns its inputs.
     */
    List<ConsumerRecord<byte[], byte[]>> abandonPending() {
        List<ConsumerRecord<byte[], byte[]>> inputs = pendingInputs();
        if (!pending.isEmpty()) {
            pending.clear();
            abort();
        }
        return inputs;
    }

    /** Commits everything sent so far; returns once all of it is durable. */
    void commitPending() {
        if (pending.isEmpty()) {
            return;
        }
        List<RecordOutcome> unit = List.copyOf(pending);
        pending.clear();
        try {
            commit(unit);
        } catch (RewindRequiredException e) {
            throw e.withInputs(unit.stream().map(RecordOutcome::source).toList());
        }
    }

    /** Publishes every answer and commits the inputs' offsets; returns once all of it is durable. */
    private void commit(List<RecordOutcome> answers) {
        Refusals refusals = new Refusals();
        commitIsolating(answers, REFUSAL_ATTEMPTS, refusals);
        List<RecordOutcome> replaced = refusals.replaced;
        if (!replaced.isEmpty()) {
            log.warn("{}: Kafka refused {} of {} committed together ({}); dead-lettered {} ({}), published the rest",
                    worker, replaced.size() == 1 ? "one answer" : replaced.size() + " answers", answers.size(),
                    KafkaErrors.describe(refusals.first), replaced.size() == 1 ? "it" : "them", coordinates(replaced));
        }
    }

    private void commitIsolating(List<RecordOutcome> part, int attempts, Refusals seen) {
        int refusals = 0;
        while (true) {
            KafkaException refusal = publishOrRefuse(part);
            if (refusal == null) {
                onCommitted.accept(part);
                return;
            }
            if (seen.first == null) {
                seen.first = refusal;
            }
            refusals++;
            log.debug("{}: Kafka refused a part of {} ({} time(s)): {}", worker, part.size(), refusals,
                    KafkaErrors.describe(refusal));
            if (part.size() > 1 && refusals >= attempts) {
                int half = part.size() / 2;
                commitIsolating(part.subList(0, half), 1, seen);
                commitIsolating(part.subList(half, part.size()), 1, seen);
                return;
            }
            if (part.size() == 1 && refusals >= REFUSAL_ATTEMPTS) {
                RecordOutcome instead = replacement(part.get(0), refusal);
                seen.replaced.removeIf(r -> r.source() == instead.source());
                seen.replaced.add(instead);
                part = List.of(instead);
                refusals = 0;
                continue;
            }
            if (!backoff.await(refusals)) {
                throw new StopRequestedException();
            }
        }
    }

    /** What answers an input whose answer Kafka keeps refusing: a dead letter, else a minimal one. */
    private RecordOutcome replacement(RecordOutcome refused, KafkaException refusal) {
        ConsumerRecord<byte[], byte[]> source = refused.source();
        boolean deadLetter = refused.output().topic().equals(deadLetters.topic());
        if (!deadLetter) {
            PublishRefusedException why = new PublishRefusedException("Kafka refused its result",
                    KafkaErrors.rootCause(refusal));
            return refused.deadLettered(deadLetters.of(source, why), why);
        }
        if (refused.output().headers().lastHeader(DeadLetters.HEADERS_DROPPED) == null) {
            Exception why = refused.error() != null ? refused.error()
                    : new PublishRefusedException("Kafka refused its dead letter", KafkaErrors.rootCause(refusal));
            return refused.deadLettered(deadLetters.minimal(source, why), why);
        }
        throw new FatalWorkerException("Kafka refuses even a minimal dead letter (no value, no input headers) on '"
                + deadLetters.topic() + "' for " + coordinates(List.of(refused)) + ": " + KafkaErrors.describe(refusal)
                + "; check the dead-letter topic's settings", refusal);
    }

    /**
     * Publishes {@code part} and commits its offsets, retrying transient errors until they pass.
     * Returns null once committed, or the error with which Kafka refused it (aborted by then).
     */
    private KafkaException publishOrRefuse(List<RecordOutcome> part) {
        var records = part.stream().map(RecordOutcome::output).toList();
        Map<TopicPartition, OffsetAndMetadata> offsets = nextOffsets(part);
        int transientFailures = 0;
        long startNanos = System.nanoTime();
        while (true) {
            try {
                publisher.publish(records, offsets);
                if (transientFailures > 0) {
                    log.info("{}: Kafka answers again; published a batch of {} after {} retries over {} s", worker,
                            part.size(), transientFailures, (System.nanoTime() - startNanos) / 1_000_000_000);
                }
                return null;
            } catch (KafkaException e) {
                switch (KafkaErrors.classify(e)) {
                    case FATAL -> throw KafkaErrors.fatal(e);
                    case REBALANCED -> {
                        abort();
                        throw new RewindRequiredException(e);
                    }
                    case REFUSED -> {
                        abort();
                        return e;
                    }
                    case TRANSIENT -> {
                        abort();
                        if (transientFailures++ == 0) {
                            log.warn("{}: cannot publish a batch of {} yet, retrying until Kafka answers: {}", worker,
                                    part.size(), KafkaErrors.describe(e));
                        }
                        if (!backoff.await(transientFailures)) {
                            throw new StopRequestedException();
                        }
                    }
                }
            }
        }
    }

    /** Undoes a failed publish, retrying while the broker is away. */
    private void abort() {
        int attempt = 0;
        while (true) {
            try {
                publisher.abort();
                return;
            } catch (KafkaException e) {
                KafkaErrors.Kind kind = KafkaErrors.classify(e);
                if (kind == KafkaErrors.Kind.FATAL) {
                    throw KafkaErrors.fatal(e);
                }
                if (kind != KafkaErrors.Kind.TRANSIENT) {
                    throw new FatalWorkerException("cannot abort the transaction: " + KafkaErrors.describe(e), e);
                }
                if (!backoff.await(++attempt)) {
                    throw new StopRequestedException();
                }
            }
        }
    }

    /** The offsets to commit after {@code part}: one past its last input of each partition. */
    static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<RecordOutcome> part) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (RecordOutcome o : part) {
            ConsumerRecord<byte[], byte[]> r = o.source();
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }

    private static String coordinates(List<RecordOutcome> outcomes) {
        List<String> names = new ArrayList<>();
        for (RecordOutcome o : outcomes) {
            names.add(o.source().topic() + "-" + o.source().partition() + "@" + o.source().offset());
        }
        return String.join(", ", names);
    }

    /** What isolating a batch found: the first refusal and the answers that replaced refused ones. */
    private static final class Refusals {
        private final List<RecordOutcome> replaced = new ArrayList<>();
        private KafkaException first;
    }

    /**
     * The group moved on while publishing: what was being committed was aborted and must be
     * redone from the committed offsets.
     */
    static final class RewindRequiredException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<ConsumerRecord<byte[], byte[]>> inputs;

        RewindRequiredException(KafkaException cause) {
            this(cause, List.of());
        }

        private RewindRequiredException(Throwable cause, List<ConsumerRecord<byte[], byte[]>> inputs) {
            super(KafkaErrors.describe(cause), cause);
            this.inputs = inputs;
        }

        /** The same, naming the inputs whose answers were aborted. */
        RewindRequiredException withInputs(List<ConsumerRecord<byte[], byte[]>> aborted) {
            return new RewindRequiredException(getCause(), aborted);
        }

        /** The inputs whose answers were aborted. */
        List<ConsumerRecord<byte[], byte[]>> inputs() {
            return inputs;
        }
    }

    /** The worker was asked to stop while waiting for Kafka: the batch is left uncommitted, to be redone. */
    static final class StopRequestedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StopRequestedException() {
            super("stop requested while waiting for Kafka");
        }
    }
}
