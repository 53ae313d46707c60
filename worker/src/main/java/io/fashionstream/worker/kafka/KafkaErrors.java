package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.FencedMemberEpochException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

import java.util.List;

/**
 * The one classification of what Kafka throws at a worker thread, used by every call site through
 * {@link RetryPolicy}; the kinds are those of Kafka's {@code ExactlyOnceMessageProcessor}, with
 * poison records apart. The whole cause chain counts: a transactional producer reports an earlier
 * failure as "Cannot execute transactional method because we are in an error state", with the
 * real error as its cause.
 */
final class KafkaErrors {
    /** What to do about an error. */
    enum Kind {
        /** Fenced by a live twin, not authorised, not supported: stop the worker; a restart or an operator must act. */
        FATAL,
        /**
         * The group moved on (a rebalance, an expired or fenced member, a generation the coordinator no
         * longer knows, the group rebuilt after a broker restart): abort, rewind to the committed offsets
         * and go on with whatever the new assignment is.
         */
        ABORT_AND_REWIND,
        /** The broker is away or busy (timeouts, leaders or coordinators moving): the same call will go through later. */
        RETRIABLE,
        /** Kafka refuses what the batch holds (too large, invalid, a policy): isolate the inputs behind it and dead-letter them. */
        POISON_RECORD
    }

    private static final List<Class<? extends Throwable>> FATAL = List.of(ProducerFencedException.class,
            OutOfOrderSequenceException.class, FencedInstanceIdException.class, AuthenticationException.class,
            AuthorizationException.class, UnsupportedVersionException.class);
    private static final List<Class<? extends Throwable>> ABORT_AND_REWIND = List.of(CommitFailedException.class,
            RebalanceInProgressException.class, IllegalGenerationException.class, UnknownMemberIdException.class,
            FencedMemberEpochException.class, StaleMemberEpochException.class, InvalidProducerEpochException.class);

    private KafkaErrors() {
    }

    static Kind classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (isAny(t, FATAL)) {
                return Kind.FATAL;
            }
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (isAny(t, ABORT_AND_REWIND)) {
                return Kind.ABORT_AND_REWIND;
            }
        }
        Throwable root = rootCause(error);
        return root instanceof RetriableException || root instanceof InterruptException ? Kind.RETRIABLE : Kind.POISON_RECORD;
    }

    /** The deepest cause: the error that started it, not the wrappers around it. */
    static Throwable rootCause(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** One line naming the root cause: {@code RecordTooLargeException: The message is ...}. */
    static String describe(Throwable error) {
        Throwable root = rootCause(error);
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** The worker-ending error for a {@link Kind#FATAL} one, with a message an operator can act on. */
    static FatalWorkerException fatal(Throwable error) {
        String what = error instanceof ProducerFencedException
                ? "another producer with the same transactional id took over (two workers share one --transactional-id-prefix?)"
                : describe(error);
        return new FatalWorkerException("fatal Kafka error, stopping: " + what, error);
    }

    private static boolean isAny(Throwable t, List<Class<? extends Throwable>> kinds) {
        for (Class<? extends Throwable> kind : kinds) {
            if (kind.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
