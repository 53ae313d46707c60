package io.fashionstream.worker.release;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.worker.metrics.Comparison;
import io.fashionstream.worker.testing.RecordSchemas;
import io.fashionstream.worker.testing.ReleaseFiles;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules of a rollout without Kafka: the canary's split and bounds, the release records, the rollback target. */
class RolloutRulesTest {
    @Test
    void aCanaryShareIsKeptWithinAPointAndAKeyAlwaysMeetsTheSameRelease() {
        int n = 20_000;
        int chosen = 0;
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> r = record("sku-" + i, i);
            boolean canary = CanarySplit.toCanary(r, 0.3);
            assertEquals(canary, CanarySplit.toCanary(record("sku-" + i, i + 12345), 0.3), "same key, another offset");
            if (CanarySplit.toCanary(r, 0.1)) {
                assertTrue(canary, "raising the share only adds keys");
            }
            chosen += canary ? 1 : 0;
        }
        assertEquals(0.3, (double) chosen / n, 0.01);
        assertTrue(!CanarySplit.toCanary(record("sku-1", 1), 0));
    }

    @Test
    void anInputWithoutAKeyIsPlacedByWhereItLies() {
        ConsumerRecord<byte[], byte[]> a = record(null, 7);
        assertEquals(CanarySplit.bucket(a), CanarySplit.bucket(record(null, 7)));
    }

    @Test
    void theGuardJudgesOnlyAfterEnoughAnswersAndNamesTheBreach() {
        CanaryGuard guard = new CanaryGuard(0.9, 0.02, 100);
        Comparison agreeing = new Comparison();
        Comparison disagreeing = new Comparison();
        for (int i = 0; i < 99; i++) {
            disagreeing.record(answer(FashionClass.BAG), answer(FashionClass.COAT), null);
        }
        assertEquals(Optional.empty(), guard.breach(disagreeing), "99 answers: not judged yet");
        disagreeing.record(answer(FashionClass.BAG), answer(FashionClass.COAT), null);
        assertTrue(guard.breach(disagreeing).orElseThrow().contains("agreed with the primary on 0.0%"));
        for (int i = 0; i < 200; i++) {
            agreeing.record(answer(FashionClass.BAG), answer(FashionClass.BAG), null);
        }
        assertEquals(Optional.empty(), guard.breach(agreeing));
    }

    @Test
    void theGuardRollsBackACanaryLessAccurateThanThePrimaryOnTheSameInputs() {
        CanaryGuard guard = new CanaryGuard(0.0, 0.02, 100);
        Comparison c = new Comparison();
        // 200 labelled coats: the primary gets all, the canary 180 (it says bag on 20); McNemar 19 / sqrt(20) = 4.2.
        for (int i = 0; i < 200; i++) {
            c.record(answer(i < 20 ? FashionClass.BAG : FashionClass.COAT), answer(FashionClass.COAT), FashionClass.COAT);
        }
        assertTrue(guard.breach(c).orElseThrow().contains("90.00%"), guard.breach(c).toString());
        assertThrows(IllegalArgumentException.class, () -> new CanaryGuard(1.5, 0.02, 100));
    }

    @Test
    void aGapWithinChanceDoesNotRollACanaryBack() {
        CanaryGuard guard = new CanaryGuard(0.0, 0.02, 200);
        Comparison c = new Comparison();
        // 235 labelled coats, as in a bench run: 15 only the primary got right, 10 only the canary; 2.1 points apart,
        // McNemar (15 - 10 - 1) / sqrt(25) = 0.8.
        for (int i = 0; i < 235; i++) {
            FashionClass canary = i < 15 ? FashionClass.BAG : FashionClass.COAT;
            FashionClass primary = i >= 15 && i < 25 ? FashionClass.BAG : FashionClass.COAT;
            c.record(answer(canary), answer(primary), FashionClass.COAT);
        }
        assertEquals(15, c.onlyPrimaryRight());
        assertEquals(10, c.onlyCandidateRight());
        assertTrue(c.primaryAccuracy() - c.candidateAccuracy() > 0.02, "more than the 2 points the bound allows");
        assertEquals(Optional.empty(), guard.breach(c), "but not more than chance");
    }

    @Test
    void releasesAndRolloutsRoundTripThroughTheirRecords() throws Exception {
        ModelRelease simple = ReleaseFiles.release("simple");
        ProducerRecord<String, byte[]> out = ReleaseTopic.record("t", simple);
        assertEquals("release/" + simple.id(), out.key());
        RecordSchemas.RELEASE.check(out.value());
        ReleaseTopic.ReleaseEntry in = (ReleaseTopic.ReleaseEntry) ReleaseTopic.read(consumed(out, 5), true).orElseThrow();
        assertEquals(5, in.offset());
        assertArrayEquals(simple.onnx(), in.release().onnx());
        assertEquals(simple.card().testAccuracy(), in.release().card().testAccuracy());
        assertEquals(null, ((ReleaseTopic.ReleaseEntry) ReleaseTopic.read(consumed(out, 5), false).orElseThrow())
                .release().onnx(), "a listing keeps no bytes");

        Rollout rollout = Rollout.of(Rollout.PUBLISH, simple.id(), "complex2-81ebcf4cdcb8", 0.25, null, "why", "me");
        RecordSchemas.ROLLOUT.check(ReleaseTopic.record("t", rollout).value());
        Rollout back = ((ReleaseTopic.RolloutEntry) ReleaseTopic.read(consumed(ReleaseTopic.record("t", rollout), 6), false)
                .orElseThrow()).rollout();
        assertEquals(rollout, back);
        assertEquals("primary " + simple.id() + ", canary complex2-81ebcf4cdcb8 (25.0%)", back.describe());
    }

    @Test
    void aReleaseRecordUnderAnotherKeyIsNotRead() {
        ProducerRecord<String, byte[]> out = ReleaseTopic.record("t", ReleaseFiles.release("simple"));
        ConsumerRecord<String, byte[]> forged = new ConsumerRecord<>("t", 0, 1, "release/complex2-81ebcf4cdcb8", out.value());
        assertThrows(java.io.IOException.class, () -> ReleaseTopic.read(forged, false));
    }

    @Test
    void rollbackGoesToThePrimaryBeforeTheCurrentOne() {
        List<Rollout> history = List.of(
                Rollout.of(Rollout.PUBLISH, "a-1", null, null, null, null, "me"),
                Rollout.of(Rollout.PUBLISH, "b-2", null, null, null, null, "me"),
                Rollout.of(Rollout.PUBLISH, "b-2", "c-3", 0.1, null, null, "me"),
                Rollout.of(Rollout.PROMOTE, "c-3", null, null, null, null, "me"));
        assertEquals(Optional.of("b-2"), ReleaseCommands.Rollback.previousPrimary(history, "c-3"));
        assertEquals(Optional.empty(), ReleaseCommands.Rollback.previousPrimary(history.subList(0, 1), "a-1"));
    }

    private static Prediction answer(FashionClass c) {
        float[] scores = new float[FashionClass.COUNT];
        scores[c.ordinal()] = 1;
        return Prediction.fromScores(scores);
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, long offset) {
        return new ConsumerRecord<>("in", 0, offset, 0L, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), new byte[1], new RecordHeaders(), Optional.empty());
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> out, long offset) {
        return new ConsumerRecord<>("t", 0, offset, out.key(), out.value());
    }
}
