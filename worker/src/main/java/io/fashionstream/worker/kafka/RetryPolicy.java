package io.fashionstream.worker.kafka;

import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * The one way a worker thread calls Kafka: every call site runs its call through {@link #get} or
 * {@link #run},
 * so the same error gets the same treatment wherever it is met ({@link KafkaErrors}):
 * <ul>
 *   <li>{@link KafkaErrors.Kind#RETRIABLE}: the call is repeated after a backoff (100 ms doubling to
 *       2 s), until it goes through or the worker is asked to stop; logged once when it starts
 *       failing and once when it goes through again;</li>
 *   <li>{@link KafkaErrors.Kind#FATAL}: the thread ends with a {@link FatalWorkerException};</li>
 *   <li>{@link KafkaErrors.Kind#ABORT_AND_REWIND} and {@link KafkaErrors.Kind#POISON_RECORD}: returned
 *       as a {@link Failed} result, for the caller to abort and rewind, or to isolate the poison.</li>
 * </ul>
 * Nothing but a fatal error is thrown: what happened is the result.
 */
final class RetryPolicy {
    private static final Logger log = LoggerFactory.getLogger(RetryPolicy.class);

    /** What became of a call. */
    sealed interface Result<T> permits Done, Failed, Stopped {
    }

    /** It went through. */
    record Done<T>(T value) implements Result<T> {
    }

    /** It failed with an error of {@code kind} (never retriable, never fatal). */
    record Failed<T>(KafkaErrors.Kind kind, KafkaException error) implements Result<T> {
    }

    /** The worker was asked to stop while the call was being retried: what it was for is redone elsewhere. */
    record Stopped<T>() implements Result<T> {
    }

    private final String worker;
    private final Backoff backoff;

    RetryPolicy(String worker, Backoff backoff) {
        this.worker = worker;
        this.backoff = backoff;
    }

    /**
     * Runs {@code call} under the policy. {@code beforeRetry} runs after each retriable failure and
     * before the backoff (a transaction is aborted there, say); {@code what} names the call in the log.
     */
    <T> Result<T> get(String what, Supplier<T> call, Runnable beforeRetry) {
        int failures = 0;
        long startNanos = System.nanoTime();
        while (true) {
            try {
                T value = call.get();
                if (failures > 0) {
                    log.info("{}: Kafka answers again; could {} after {} retries over {} s", worker, what, failures,
                            (System.nanoTime() - startNanos) / 1_000_000_000);
                }
                return new Done<>(value);
            } catch (KafkaException e) {
                KafkaErrors.Kind kind = KafkaErrors.classify(e);
                if (kind == KafkaErrors.Kind.FATAL) {
                    throw KafkaErrors.fatal(e);
                }
                if (kind != KafkaErrors.Kind.RETRIABLE) {
                    return new Failed<>(kind, e);
                }
                beforeRetry.run();
                if (failures++ == 0) {
                    log.warn("{}: cannot {} yet, retrying until Kafka answers: {}", worker, what, KafkaErrors.describe(e));
                }
                if (!backoff.await(failures)) {
                    return new Stopped<>();
                }
            }
        }
    }

    /** {@link #get} for a call without a value. */
    Result<Void> run(String what, Runnable call, Runnable beforeRetry) {
        return get(what, () -> {
            call.run();
            return null;
        }, beforeRetry);
    }
}
