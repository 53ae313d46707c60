package io.fashionstream.worker.batch;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.FashionClass;
import io.fashionstream.core.Json;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.worker.release.CanarySplit;
import io.fashionstream.worker.release.Deployment;
import io.fashionstream.worker.release.LiveModels;
import io.fashionstream.worker.release.LiveRelease;
import io.fashionstream.worker.release.Role;
import io.fashionstream.worker.testing.RecordSchemas;
import io.fashionstream.worker.testing.StubEngine;
import io.fashionstream.worker.testing.TestInputs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batch path under a changing deployment: each batch is answered by the deployment it began
 * with; a canary answers exactly the inputs its share picks by key; a shadow is compared and never
 * published; a release that leaves is closed, engines of threads included.
 */
class RolloutStagesTest {
    private final StubEngine stub = new StubEngine();
    private final ClosingEngine bagsOnly = new ClosingEngine(FashionClass.BAG);
    private final LiveRelease primary = release("stub-000000000001", stub);
    private final LiveRelease candidate = release("bags-000000000002", bagsOnly);
    private final LiveModels models = new LiveModels(Deployment.of(primary));
    private final StagePipeline pipeline = new StagePipeline(Stages.DECODE, new ForwardPassStage(models), Stages.ANSWER,
            64, 0, "test");

    @Test
    void theNextBatchIsAnsweredByTheNewPrimaryAndEveryResultNamesItsRelease() throws Exception {
        for (JsonNode r : results(pipeline.runNow(batch(0, 10)))) {
            assertEquals(primary.id(), r.get("release").asText());
            assertEquals("primary", r.get("role").asText());
        }
        models.deploy(Deployment.of(candidate));
        for (JsonNode r : results(pipeline.runNow(batch(10, 10)))) {
            assertEquals(candidate.id(), r.get("release").asText());
            assertEquals(FashionClass.BAG.ordinal(), r.get("label").asInt());
        }
        assertTrue(primary.retired(), "the release that left is retired");
    }

    @Test
    void aCanaryAnswersExactlyTheInputsItsShareSelectsByKey() throws Exception {
        models.deploy(new Deployment(primary, candidate, 0.4, null, "r1"));
        List<ConsumerRecord<byte[], byte[]>> in = batch(0, 64);
        BatchAnswers answers = pipeline.runNow(in);
        int canary = 0;
        for (int i = 0; i < in.size(); i++) {
            Answer a = answers.answers().get(i);
            boolean chosen = CanarySplit.toCanary(in.get(i), 0.4);
            assertEquals(chosen ? Role.CANARY : Role.PRIMARY, a.served().role());
            assertEquals(chosen ? candidate : primary, a.served().release());
            JsonNode result = Json.MAPPER.readTree(a.output().value());
            assertEquals(chosen ? "canary" : "primary", result.get("role").asText());
            if (chosen) {
                canary++;
                assertEquals(FashionClass.BAG, a.prediction().fashionClass());
                // what the primary said is kept for the comparison
                assertEquals(StubEngine.classOf(pixels(TestInputs.raw(i)), 0), a.served().primaryAnswer().label());
            } else {
                assertNull(a.served().primaryAnswer());
            }
        }
        assertTrue(canary > 10 && canary < 45, canary + " of 64 to a 40% canary");
        assertEquals(List.of(Role.PRIMARY, Role.CANARY), answers.passes().stream().map(ReleasePass::role).toList());
        assertEquals(canary, answers.passes().get(1).images(), "the canary's pass holds only its share");
    }

    @Test
    void aShadowIsComparedButNeverPublished() throws Exception {
        models.deploy(new Deployment(primary, null, 0, candidate, "r2"));
        BatchAnswers answers = pipeline.runNow(batch(0, 20));
        for (int i = 0; i < 20; i++) {
            Answer a = answers.answers().get(i);
            assertEquals(primary, a.served().release());
            assertEquals(candidate, a.served().shadow());
            assertEquals(FashionClass.BAG, a.served().shadowAnswer().fashionClass());
            int primaryClass = StubEngine.classOf(pixels(TestInputs.raw(i)), 0);
            assertEquals(primaryClass, Json.MAPPER.readTree(a.output().value()).get("label").asInt(),
                    "the published answer is the primary's");
        }
        assertEquals(1, answers.records().stream().map(r -> r.topic()).distinct().filter("results"::equals).count());
        assertEquals(List.of(Role.PRIMARY, Role.SHADOW), answers.passes().stream().map(ReleasePass::role).toList());
    }

    @Test
    void aRetiredReleaseClosesItsOwnEngineAndEveryThreadsCopyAtItsNextBatch() {
        models.deploy(Deployment.of(candidate));
        pipeline.runNow(batch(0, 4)); // the stage takes a copy of the candidate's engine
        assertEquals(0, bagsOnly.closed.get());
        models.deploy(Deployment.of(release("stub-000000000003", new StubEngine())));
        assertEquals(1, bagsOnly.closed.get(), "the release's own engine, at once");
        pipeline.runNow(batch(4, 4));
        assertEquals(2, bagsOnly.closed.get(), "the thread's copy, at its next batch");
        assertTrue(candidate.copyEngine().isEmpty(), "a retired release gives no new engines");
    }

    @Test
    void aReleaseHasOneRoleAtATimeAndARetiredOneNeverServesAgain() {
        assertThrows(IllegalArgumentException.class, () -> new Deployment(primary, primary, 0.1, null, "r"));
        assertThrows(IllegalArgumentException.class, () -> new Deployment(primary, null, 0, primary, "r"));
        assertThrows(IllegalArgumentException.class, () -> new Deployment(primary, candidate, 0.1, candidate, "r"));
        assertThrows(IllegalArgumentException.class, () -> new Deployment(primary, candidate, 1.0, null, "r"));
        models.deploy(Deployment.of(candidate));
        assertThrows(IllegalArgumentException.class, () -> models.deploy(Deployment.of(primary)), "primary was retired");
        assertEquals(candidate, models.current().primary());
    }

    private static LiveRelease release(String id, InferenceEngine engine) {
        return new LiveRelease(id, id.substring(0, id.indexOf('-')), "v1", Optional.empty(), engine, Stages.REVIEW, null);
    }

    private static List<ConsumerRecord<byte[], byte[]>> batch(int from, int count) {
        List<ConsumerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            in.add(BatchStagesTest.record(i, "item-" + i, TestInputs.raw(i - from)));
        }
        return in;
    }

    private static float[] pixels(byte[] raw) {
        float[] out = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = (raw[i] & 0xff) / 255f;
        }
        return out;
    }

    private static List<JsonNode> results(BatchAnswers answers) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (var r : answers.records()) {
            if (r.topic().equals("results")) {
                RecordSchemas.RESULT.check(r.value());
                out.add(Json.MAPPER.readTree(r.value()));
            }
        }
        return out;
    }

    /** Predicts one class for everything; counts how many of its instances (itself and copies) were closed. */
    private static final class ClosingEngine implements InferenceEngine {
        private final FashionClass answer;
        private final AtomicInteger closed;

        ClosingEngine(FashionClass answer) {
            this(answer, new AtomicInteger());
        }

        private ClosingEngine(FashionClass answer, AtomicInteger closed) {
            this.answer = answer;
            this.closed = closed;
        }

        @Override
        public List<Prediction> batchPredict(float[] pixels, int count) {
            List<Prediction> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                float[] scores = new float[FashionClass.COUNT];
                scores[answer.ordinal()] = 1;
                out.add(Prediction.fromScores(scores));
            }
            return out;
        }

        @Override
        public InferenceEngine copy() {
            return new ClosingEngine(answer, closed);
        }

        @Override
        public String name() {
            return "constant";
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }
}
