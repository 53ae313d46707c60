package io.fashionstream.worker.kafka;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.fashionstream.worker.kafka.KafkaErrors.Kind.FATAL;
import static io.fashionstream.worker.kafka.KafkaErrors.Kind.ABORT_AND_REWIND;
import static io.fashionstream.worker.kafka.KafkaErrors.Kind.POISON_RECORD;
import static io.fashionstream.worker.kafka.KafkaErrors.Kind.RETRIABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaErrorsTest {
    /** How the producer reports a transaction that failed earlier: the real error is the cause. */
    private static KafkaException errorState(Throwable cause) {
        return new KafkaException("Cannot execute transactional method because we are in an error state", cause);
    }

    @Test
    void theCauseBehindTheProducersErrorStateDecides() {
        assertEquals(POISON_RECORD, KafkaErrors.classify(errorState(new RecordTooLargeException("too large"))));
        assertEquals(RETRIABLE, KafkaErrors.classify(errorState(new TimeoutException("expired"))));
        assertEquals(RETRIABLE, KafkaErrors.classify(new TransactionAbortableException("abortable",
                new NotEnoughReplicasException("1 of 3"))));
        assertEquals(FATAL, KafkaErrors.classify(errorState(new ProducerFencedException("fenced"))));
        assertEquals(FATAL, KafkaErrors.classify(new TopicAuthorizationException(Set.of("labels"))));
        assertEquals(ABORT_AND_REWIND, KafkaErrors.classify(new CommitFailedException("generation moved")));
    }

    /** Every error a rejoin resolves is abort-and-rewind, never fatal: a broker restart must not end a worker. */
    @Test
    void whatARejoinResolvesIsAbortAndRewind() {
        for (KafkaException e : List.of(
                new CommitFailedException("Transaction offset Commit failed due to consumer group metadata mismatch:"
                        + " Specified group generation id is not valid."),
                new org.apache.kafka.common.errors.IllegalGenerationException("generation"),
                new org.apache.kafka.common.errors.StaleMemberEpochException("member epoch"),
                new org.apache.kafka.common.errors.FencedMemberEpochException("fenced epoch"),
                new org.apache.kafka.common.errors.UnknownMemberIdException("unknown member"),
                new org.apache.kafka.common.errors.RebalanceInProgressException("rebalance"),
                new org.apache.kafka.common.errors.InvalidProducerEpochException("bumped epoch"),
                errorState(new org.apache.kafka.common.errors.IllegalGenerationException("behind the error state")))) {
            assertEquals(ABORT_AND_REWIND, KafkaErrors.classify(e), e.toString());
        }
    }

    /** A coordinator moving or loading (after a broker restart) is waited out. */
    @Test
    void aCoordinatorMovingOrLoadingIsRetried() {
        for (KafkaException e : List.of(new org.apache.kafka.common.errors.NotCoordinatorException("moved"),
                new org.apache.kafka.common.errors.CoordinatorLoadInProgressException("loading"),
                new org.apache.kafka.common.errors.CoordinatorNotAvailableException("away"),
                new org.apache.kafka.common.errors.NotLeaderOrFollowerException("leader moved"),
                new org.apache.kafka.common.errors.ConcurrentTransactionsException("previous transaction finishing"))) {
            assertEquals(RETRIABLE, KafkaErrors.classify(e), e.toString());
        }
    }

    /** Fatal stays fatal: a live twin with the same transactional id, authorisation, versions. */
    @Test
    void onlyWhatARestartOrAnOperatorMustSolveIsFatal() {
        for (KafkaException e : List.of(new ProducerFencedException("twin"),
                new org.apache.kafka.common.errors.FencedInstanceIdException("static twin"),
                new TopicAuthorizationException(Set.of("labels")),
                new org.apache.kafka.common.errors.TransactionalIdAuthorizationException("txn id"),
                new org.apache.kafka.common.errors.SaslAuthenticationException("bad password"),
                new org.apache.kafka.common.errors.UnsupportedVersionException("old broker"))) {
            assertEquals(FATAL, KafkaErrors.classify(e), e.toString());
        }
    }

    @Test
    void anErrorOfUnknownKindIsARefusalSoItCanBeIsolatedNotRetriedForever() {
        assertEquals(POISON_RECORD, KafkaErrors.classify(new KafkaException("something new")));
    }

    @Test
    void theDescriptionNamesTheRootCauseNotTheWrapper() {
        String line = KafkaErrors.describe(errorState(new RecordTooLargeException("The message is 11010560 bytes")));
        assertEquals("RecordTooLargeException: The message is 11010560 bytes", line);
        assertTrue(KafkaErrors.fatal(new ProducerFencedException("x")).getMessage().contains("transactional id"));
    }
}
