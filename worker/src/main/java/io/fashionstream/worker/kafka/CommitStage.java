package io.fashionstream.worker.kafka;

import io.fashionstream.worker.batch.Answer;
import io.fashionstream.worker.batch.AnswerStage;
import io.fashionstream.worker.batch.LatencyObjective;
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
 * The publish-and-commit stage: gets answers into Kafka with their input offsets, whatever Kafka
 * throws on the way, so that no input can hold up its partition. Batches are gathered into one
 * unit (a transaction, under exactly-once) for up to the commit interval, as Kafka Streams'
 * {@code commit.interval.ms} does:
 * each batch's answers are sent at once ({@link #add}), and the unit commits once the interval
 * has passed since its first batch ({@link #commitIfDue}), or when asked ({@link #commitPending}).
 * Under a {@link LatencyObjective} a unit also commits once its oldest input's budget less one
 * commit has passed, and every commit's duration is measured for it.
 * On the way:
 * <ul>
 *   <li>transient errors (broker away, leaders moving, timeouts) are retried with backoff until
 *       they pass: an outage is not the inputs' fault, so it never turns them into dead letters;</li>
 *   <li>a refusal (a record over a size limit, an invalid record) is retried a few times, then the
 *       batch is split in halves, recursively, to find the inputs whose answers Kafka refuses; each
 *       is replaced by what the {@link AnswerStage} gives for it (a dead letter with the Kafka error
 *       as its reason, {@code publish_refused}, or, if Kafka refuses that too, a minimal one), and
 *       the rest is published;</li>
 *   <li>a rebalance gives {@link CommitResult.Rewind}, a stop request while waiting
 *       {@link CommitResult.Stopped}, a fatal error ends the thread ({@link FatalWorkerException}).</li>
 * </ul>
 * Every Kafka call goes through the thread's {@link RetryPolicy}.
 * Parts are committed in input order, so results of one partition keep their order.
 */
final class CommitStage {
    private static final Logger log = LoggerFactory.getLogger(CommitStage.class);
    /** Attempts at a refused batch, and at a refused single answer, before isolating or replacing it. */
    static final int REFUSAL_ATTEMPTS = 3;

    /** Answers gathered into one unit at most: a bound on what a failed commit makes redo. */
    static final int MAX_PENDING = 65_536;

    private final String worker;
    private final BatchPublisher publisher;
    private final AnswerStage answers;
    private final RetryPolicy retry;
    private final Backoff backoff;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Consumer<List<Answer>> onCommitted;
    /** The latency objective, or null. */
    private final LatencyObjective objective;
    /** Under an objective, when the open unit must commit at the latest. */
    private long commitByNanos = Long.MAX_VALUE;
    /** Under an objective, when the open unit's oldest input arrived (its commit clock). */
    private long oldestArrivalNanos = Long.MAX_VALUE;
    /** Answers sent in the open unit and not yet committed, in input order. */
    private final List<Answer> pending = new ArrayList<>();
    private long pendingSinceNanos;

    /**
     * @param interval    how long a unit gathers batches; zero commits every batch
     * @param onCommitted told of each part once it is committed, with what finally answered each input
     */
    CommitStage(String worker, BatchPublisher publisher, AnswerStage answers, RetryPolicy retry, Backoff backoff,
                   Duration interval, LongSupplier nanoClock, Consumer<List<Answer>> onCommitted) {
        this(worker, publisher, answers, retry, backoff, interval, nanoClock, onCommitted, null);
    }

    /** @param objective the latency objective the commits keep, or null */
    CommitStage(String worker, BatchPublisher publisher, AnswerStage answers, RetryPolicy retry, Backoff backoff,
                Duration interval, LongSupplier nanoClock, Consumer<List<Answer>> onCommitted, LatencyObjective objective) {
        this.objective = objective;
        this.worker = worker;
        this.publisher = publisher;
        this.answers = answers;
        this.retry = retry;
        this.backoff = backoff;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.onCommitted = onCommitted;
    }

    /** Sends one batch's answers in the open unit and commits it if it is due; does not wait for Kafka otherwise. */
    CommitResult add(List<Answer> answers) {
        return add(answers, nanoClock.getAsLong());
    }

    /** As {@link #add(List)}, for a batch whose oldest input arrived at {@code oldestArrivalNanos}. */
    CommitResult add(List<Answer> answers, long oldestArrivalNanos) {
        if (answers.isEmpty()) {
            return CommitResult.COMMITTED;
        }
        if (pending.isEmpty()) {
            pendingSinceNanos = nanoClock.getAsLong();
        }
        if (objective != null) {
            commitByNanos = Math.min(commitByNanos, objective.commitByNanos(oldestArrivalNanos));
            this.oldestArrivalNanos = Math.min(this.oldestArrivalNanos, oldestArrivalNanos);
        }
        pending.addAll(answers);
        try {
            publisher.send(answers.stream().flatMap(a -> a.outputs().stream()).toList());
        } catch (KafkaException e) {
            // Sorted out by the commit, which meets the same error (or the producer's error state).
            return commitPending();
        }
        return commitIfDue();
    }

    /** Commits the open unit if its interval has passed (or it has grown to {@link #MAX_PENDING}). */
    CommitResult commitIfDue() {
        long now = nanoClock.getAsLong();
        if (!pending.isEmpty() && (now - pendingSinceNanos >= intervalNanos || now >= commitByNanos
                || pending.size() >= MAX_PENDING)) {
            return commitPending();
        }
        return CommitResult.COMMITTED;
    }

    /** How long until the open unit is due, for a poll's timeout; {@code idleMillis} when none is open. */
    long millisUntilDue(long idleMillis) {
        if (pending.isEmpty()) {
            return idleMillis;
        }
        long now = nanoClock.getAsLong();
        long left = Math.min(intervalNanos - (now - pendingSinceNanos), commitByNanos - now);
        return Math.max(0, Math.min(idleMillis, (left + 999_999) / 1_000_000));
    }

    /** Answers sent and not yet committed. */
    int pendingCount() {
        return pending.size();
    }

    /** The inputs sent and not yet committed, in input order. */
    List<ConsumerRecord<byte[], byte[]>> pendingInputs() {
        return pending.stream().map(Answer::source).toList();
    }

    /**
     * Gives up the open unit without committing it (aborting its transaction): its partitions were
     * lost, so their new owner redoes them. Returns its inputs.
     */
    List<ConsumerRecord<byte[], byte[]>> abandonPending() {
        List<ConsumerRecord<byte[], byte[]>> inputs = pendingInputs();
        if (!pending.isEmpty()) {
            pending.clear();
            commitByNanos = Long.MAX_VALUE;
            oldestArrivalNanos = Long.MAX_VALUE;
            abort();
        }
        return inputs;
    }

    /** Commits everything sent so far; returns once all of it is durable, or why it is not. */
    CommitResult commitPending() {
        if (pending.isEmpty()) {
            return CommitResult.COMMITTED;
        }
        List<Answer> unit = List.copyOf(pending);
        pending.clear();
        commitByNanos = Long.MAX_VALUE;
        long oldestArrival = oldestArrivalNanos;
        oldestArrivalNanos = Long.MAX_VALUE;
        long started = nanoClock.getAsLong();
        CommitResult result = commit(unit);
        if (objective != null && result == CommitResult.COMMITTED) {
            long committed = nanoClock.getAsLong();
            objective.costs().observeCommit(committed - started);
            objective.observeCommitted(oldestArrival, pendingSinceNanos, committed);
        }
        return result instanceof CommitResult.Rewind rewind
                ? new CommitResult.Rewind(unit.stream().map(Answer::source).toList(), rewind.cause()) : result;
    }

    /** Publishes every answer and commits the inputs' offsets. */
    private CommitResult commit(List<Answer> answers) {
        Refusals refusals = new Refusals();
        CommitResult result = commitIsolating(answers, REFUSAL_ATTEMPTS, refusals);
        List<Answer> replaced = refusals.replaced;
        if (result == CommitResult.COMMITTED && !replaced.isEmpty()) {
            log.warn("{}: Kafka refused {} of {} committed together ({}); dead-lettered {} ({}), published the rest",
                    worker, replaced.size() == 1 ? "one answer" : replaced.size() + " answers", answers.size(),
                    KafkaErrors.describe(refusals.first), replaced.size() == 1 ? "it" : "them", coordinates(replaced));
        }
        return result;
    }

    private CommitResult commitIsolating(List<Answer> part, int attempts, Refusals seen) {
        int refusals = 0;
        while (true) {
            var records = part.stream().flatMap(a -> a.outputs().stream()).toList();
            Map<TopicPartition, OffsetAndMetadata> offsets = nextOffsets(part);
            RetryPolicy.Result<Void> published = retry.run("publish " + part.size() + " answers",
                    () -> publisher.publish(records, offsets), this::abort);
            if (published instanceof RetryPolicy.Done) {
                onCommitted.accept(part);
                return CommitResult.COMMITTED;
            }
            if (published instanceof RetryPolicy.Stopped) {
                return CommitResult.STOPPED;
            }
            RetryPolicy.Failed<Void> failed = (RetryPolicy.Failed<Void>) published;
            CommitResult aborted = abort();
            if (aborted != CommitResult.COMMITTED) {
                return aborted;
            }
            if (failed.kind() == KafkaErrors.Kind.ABORT_AND_REWIND) {
                return new CommitResult.Rewind(List.of(), failed.error());
            }
            KafkaException refusal = failed.error(); // a poison record in the part
            if (seen.first == null) {
                seen.first = refusal;
            }
            refusals++;
            log.debug("{}: Kafka refused a part of {} ({} time(s)): {}", worker, part.size(), refusals,
                    KafkaErrors.describe(refusal));
            if (part.size() > 1 && refusals >= attempts) {
                int half = part.size() / 2;
                CommitResult first = commitIsolating(part.subList(0, half), 1, seen);
                return first != CommitResult.COMMITTED ? first : commitIsolating(part.subList(half, part.size()), 1, seen);
            }
            if (part.size() == 1 && refusals >= REFUSAL_ATTEMPTS) {
                Answer instead = replacement(part.get(0), refusal);
                seen.replaced.removeIf(r -> r.source() == instead.source());
                seen.replaced.add(instead);
                part = List.of(instead);
                refusals = 0;
                continue;
            }
            if (!backoff.await(refusals)) {
                return CommitResult.STOPPED;
            }
        }
    }

    /** What answers an input whose answer Kafka keeps refusing; a minimal dead letter refused too ends the thread. */
    private Answer replacement(Answer refused, KafkaException refusal) {
        return answers.replacementFor(refused, KafkaErrors.rootCause(refusal)).orElseThrow(() -> new FatalWorkerException(
                "Kafka refuses even a minimal dead letter (no value, no input headers) on '" + answers.deadLetterTopic()
                        + "' for " + coordinates(List.of(refused)) + ": " + KafkaErrors.describe(refusal)
                        + "; check the dead-letter topic's settings", refusal));
    }

    /** Undoes a failed publish, retrying while the broker is away; an abort Kafka refuses otherwise ends the thread. */
    private CommitResult abort() {
        RetryPolicy.Result<Void> aborted = retry.run("abort the transaction", publisher::abort, () -> { });
        if (aborted instanceof RetryPolicy.Failed<Void> failed) {
            throw new FatalWorkerException("cannot abort the transaction: " + KafkaErrors.describe(failed.error()),
                    failed.error());
        }
        return aborted instanceof RetryPolicy.Stopped ? CommitResult.STOPPED : CommitResult.COMMITTED;
    }

    /** The offsets to commit after {@code part}: one past its last input of each partition. */
    static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<Answer> part) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Answer o : part) {
            ConsumerRecord<byte[], byte[]> r = o.source();
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }

    private static String coordinates(List<Answer> outcomes) {
        List<String> names = new ArrayList<>();
        for (Answer o : outcomes) {
            names.add(o.source().topic() + "-" + o.source().partition() + "@" + o.source().offset());
        }
        return String.join(", ", names);
    }

    /** What isolating a batch found: the first refusal and the answers that replaced refused ones. */
    private static final class Refusals {
        private final List<Answer> replaced = new ArrayList<>();
        private KafkaException first;
    }
}
