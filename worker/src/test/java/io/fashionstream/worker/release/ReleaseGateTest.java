package io.fashionstream.worker.release;

import io.fashionstream.core.Sha256;
import io.fashionstream.core.release.ReleaseGate;
import io.fashionstream.core.release.ReleaseGate.Check;
import io.fashionstream.worker.testing.ReleaseFiles;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gate on the committed models and on broken releases of them. */
class ReleaseGateTest {
    private final ReleaseGate gate = new ReleaseGate(ReleaseGate.DEFAULT_TOLERANCE, 2);

    @Test
    void aCommittedModelPassesWithItsCardsAccuracyOnTheGoldenSet() {
        ModelRelease simple = ReleaseFiles.release("simple");
        ReleaseGate.Passed passed = assertInstanceOf(ReleaseGate.Passed.class,
                gate.check(simple.onnx(), simple.sha256(), simple.card()));
        try (var engine = passed.engine()) {
            assertEquals(10_000, passed.goldenImages());
            // ONNX Runtime gives the labels DL4J gave when the card was written.
            assertEquals(simple.card().testAccuracy(), passed.accuracy(), 1e-9);
        }
    }

    @Test
    void aWorkersGateScoresInItsOwnBatchSizeAndStillMatchesTheCard() {
        // The engine that passes serves afterwards and keeps what its largest batch took; the worker
        // passes its --max-batch. complex2 is the model whose batches take the most memory.
        ModelRelease complex2 = ReleaseFiles.release("complex2");
        ReleaseGate.Passed passed = assertInstanceOf(ReleaseGate.Passed.class,
                new ReleaseGate(ReleaseGate.DEFAULT_TOLERANCE, 2, 64).check(complex2.onnx(), complex2.sha256(), complex2.card()));
        try (var engine = passed.engine()) {
            assertEquals(complex2.card().testAccuracy(), passed.accuracy(), 1e-9);
        }
    }

    @Test
    void corruptedBytesAreRefusedByTheirChecksum() {
        ModelRelease corrupted = ReleaseFiles.corrupted("simple");
        assertRefused(Check.CHECKSUM, corrupted, "hash");
    }

    @Test
    void aCardOfAnotherFileIsRefusedByTheChecksumItNames() {
        ModelRelease simple = ReleaseFiles.release("simple");
        ModelRelease mismatched = new ModelRelease(1, simple.id(), "simple", simple.version(), simple.sha256(),
                ReleaseFiles.card("complex1"), simple.publishedAt(), "test", simple.onnx());
        assertRefused(Check.CHECKSUM, mismatched, "its card says");
    }

    @Test
    void theWrongOutputShapeIsRefused() {
        assertRefused(Check.SHAPE, ReleaseFiles.fiveOutputs("simple"), "[-1, 5]");
    }

    @Test
    void aModelScoringUnderItsCardIsRefused() {
        assertRefused(Check.ACCURACY, ReleaseFiles.claiming("simple", 0.95), "its card claims 0.9500");
    }

    @Test
    void withinTheToleranceUnderItsCardAModelPasses() {
        ModelRelease simple = ReleaseFiles.release("simple");
        ModelRelease slightlyHigh = ReleaseFiles.claiming("simple", simple.card().testAccuracy() + 0.004);
        ReleaseGate.Verdict verdict = gate.check(slightlyHigh.onnx(), slightlyHigh.sha256(), slightlyHigh.card());
        ((ReleaseGate.Passed) assertInstanceOf(ReleaseGate.Passed.class, verdict)).engine().close();
    }

    @Test
    void garbageIsUnreadableAndNoCardIsRefused() {
        byte[] garbage = "not an onnx model".getBytes();
        ModelRelease simple = ReleaseFiles.release("simple");
        ReleaseGate.Verdict unreadable = gate.check(garbage, Sha256.hex(garbage), simple.card().withOnnxSha256(null));
        assertEquals(Check.UNREADABLE, assertInstanceOf(ReleaseGate.Refused.class, unreadable).check());
        ReleaseGate.Verdict noCard = gate.check(simple.onnx(), simple.sha256(), null);
        assertEquals(Check.CARD, assertInstanceOf(ReleaseGate.Refused.class, noCard).check());
    }

    private void assertRefused(Check check, ModelRelease release, String reasonPart) {
        ReleaseGate.Refused refused = assertInstanceOf(ReleaseGate.Refused.class,
                gate.check(release.onnx(), release.sha256(), release.card()));
        assertEquals(check, refused.check(), refused.reason());
        assertTrue(refused.reason().contains(reasonPart), refused.reason());
    }
}
