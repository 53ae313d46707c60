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
