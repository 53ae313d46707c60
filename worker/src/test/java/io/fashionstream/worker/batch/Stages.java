package io.fashionstream.worker.batch;

import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.worker.records.CopiedHeaders;
import io.fashionstream.worker.records.DeadLetters;
import io.fashionstream.worker.testing.TestReleases;

/** The batch stages as a worker builds them, for tests: results to {@code results}, dead letters to {@code dlq}. */
final class Stages {
    /** Answers under 0.6 confidence are also sent to "review". */
    static final ReviewRoute REVIEW = new ReviewRoute("review", 0.6);
    static final DecodeStage DECODE = new DecodeStage(new ImagePreprocessor(ImageLimits.DEFAULTS), java.time.Duration.ofSeconds(2));
    static final AnswerStage ANSWER = new AnswerStage("results", 3,
            new DeadLetters("dlq", DeadLetters.KAFKA_DEFAULT_MAX_RECORD_BYTES), CopiedHeaders.DEFAULT_RESULT_HEADERS,
            () -> 5_000L);

    private Stages() {
    }

    /** Decode, forward pass on {@code engine}, answer; {@code threads} decode helpers. */
    static StagePipeline pipeline(InferenceEngine engine, int maxBatch, int threads) {
        return new StagePipeline(DECODE, TestReleases.forward(engine, REVIEW), ANSWER, maxBatch, threads, "test");
    }
}
