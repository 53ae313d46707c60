package io.fashionstream.worker.batch;

import io.fashionstream.core.image.ImageLimits;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.image.PhotoMeasurements;
import io.fashionstream.core.image.InvalidImageException;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.worker.records.DeadLetters;
import io.fashionstream.worker.testing.TestInputs;
import io.fashionstream.worker.testing.TestReleases;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static io.fashionstream.worker.batch.BatchStagesTest.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding on helper threads and the forward pass on its own helper, double-buffered. */
class StagePipelineTest {
    private static final int MAX_BATCH = 16;
    private static Dl4jEngine network;
    /** Every stage on the calling thread: what the helpers must match. */
    private static StagePipeline batches;

    @BeforeAll
    static void load() throws Exception {
        network = new Dl4jEngine(TestInputs.simpleModel().network());
        batches = Stages.pipeline(network, MAX_BATCH, 0);
    }

    @AfterAll
    static void close() {
        batches.close();
        network.close();
    }

    /** Good and bad inputs interleaved, so that packing has gaps to close in every range. */
    private static List<ConsumerRecord<byte[], byte[]>> mixedBatch() {
        List<ConsumerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            byte[] value = switch (i % 4) {
                case 0 -> TestInputs.png(i);
                case 1 -> i == 5 ? TestInputs.truncatedPng() : TestInputs.raw(i);
                case 2 -> new byte[0];
                default -> TestInputs.png(i);
            };
            in.add(i == 7 ? record(i, "k" + i, value, "label", "not-a-class") : record(i, "k" + i, value, "label", "1"));
        }
        return in;
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 1, 3, 16})
    void decodesExactlyWhatTheWorkerThreadWouldHave(int threads) {
        List<ConsumerRecord<byte[], byte[]>> in = mixedBatch();
        DecodedBatch inline = Stages.DECODE.decodeAll(in, new float[MAX_BATCH * Dl4jEngine.PIXELS]);
        try (StagePipeline decoder = Stages.pipeline(network, MAX_BATCH, threads)) {
            StagePipeline.InFlight pending = decoder.start(in);
            DecodedBatch decoded = pending.awaitDecoded();

            assertSame(in, pending.records());
            assertEquals(inline.goodCount(), decoded.goodCount());
            assertEquals(6, decoded.goodCount(), "3 empty, 1 truncated, 1 unknown label");
            assertTrue(decoded.decodeNanos() > 0, "decode time is measured");
            for (int i = 0; i < in.size(); i++) {
                assertEquals(errorType(inline.error(i)), errorType(decoded.error(i)), "input " + i);
                if (decoded.error(i) == null) {
                    assertEquals(inline.row(i), decoded.row(i), "input " + i);
                    assertEquals(inline.truth(i), decoded.truth(i));
                }
            }
            int packed = decoded.goodCount() * Dl4jEngine.PIXELS;
            assertArrayEquals(Arrays.copyOf(inline.pixels(), packed), Arrays.copyOf(decoded.pixels(), packed));

            List<String> topics = Stages.ANSWER.answer(TestReleases.forward(network, Stages.REVIEW).run(decoded)).records().stream().map(ProducerRecord::topic).toList();
            assertEquals(batches.runNow(in).records().stream().map(ProducerRecord::topic).toList(), topics);
            pending.release();
        }
    }

    @Test
    void holdsTwoBatchesAtATimeAndReusesABufferOnceReleased() {
        try (StagePipeline decoder = Stages.pipeline(network, MAX_BATCH, 1)) {
            StagePipeline.InFlight first = decoder.start(mixedBatch());
            StagePipeline.InFlight second = decoder.start(mixedBatch());
            assertThrows(IllegalStateException.class, () -> decoder.start(mixedBatch()),
                    "a third batch would overwrite one not yet classified");

            float[] firstBuffer = first.awaitDecoded().pixels();
            first.release();
            first.release(); // twice is harmless
            StagePipeline.InFlight third = decoder.start(mixedBatch());
            assertSame(firstBuffer, third.awaitDecoded().pixels());
            second.release();
            third.release();
        }
    }

    @ParameterizedTest(name = "decode threads {0}")
    @ValueSource(ints = {0, 2})
    void runsTheForwardPassOnItsHelperInOrderWhenItHasDecodeThreads(int threads) {
        List<String> passThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        InferenceEngine watched = new InferenceEngine() {
            @Override
            public List<Prediction> batchPredict(float[] pixels, int count) throws InferenceException {
                passThreads.add(Thread.currentThread().getName());
                return network.batchPredict(pixels, count);
            }

            @Override
            public InferenceEngine copy() {
                return this;
            }

            @Override
            public String name() {
                return "watched";
            }

            @Override
            public void close() {
            }
        };
        List<ConsumerRecord<byte[], byte[]>> first = mixedBatch();
        List<ConsumerRecord<byte[], byte[]>> second = mixedBatch().subList(0, 5);
        try (StagePipeline decoder = Stages.pipeline(watched, MAX_BATCH, threads)) {
            StagePipeline.InFlight a = decoder.start(first);
            StagePipeline.InFlight b = decoder.start(second);
            BatchAnswers secondOut = b.answers(); // asked for out of order: still computed in order
            BatchAnswers firstOut = a.answers();
            a.release();
            b.release();

            assertEquals(values(batches.runNow(first)), values(firstOut));
            assertEquals(values(batches.runNow(second)), values(secondOut));
            assertEquals(threads == 0 ? List.of("main", "main") : List.of("forward-test", "forward-test"),
                    passThreads.stream().map(n -> n.startsWith("forward-") ? n : "main").toList());
        }
    }

    private static List<String> values(BatchAnswers output) {
        return output.records().stream().map(r -> r.topic() + ":" + new String(r.value(),
                java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    @Test
    void rejectsMoreRecordsThanTheMaxBatch() {
        List<ConsumerRecord<byte[], byte[]>> tooMany = new ArrayList<>();
        for (int i = 0; i <= MAX_BATCH; i++) {
            tooMany.add(record(i, "k", TestInputs.raw(i)));
        }
        try (StagePipeline decoder = Stages.pipeline(network, MAX_BATCH, 2)) {
            assertThrows(IllegalArgumentException.class, () -> decoder.start(tooMany));
            // the refused batch did not keep a buffer
            decoder.start(mixedBatch()).release();
            decoder.start(mixedBatch()).release();
        }
    }

    /**
     * A decoder that never returns for one input (as a decompression bomb past every other limit
     * would): that input is dead-lettered as decode_timeout, the rest of its batch is answered,
     * and the next batch runs although the stuck helper has not returned.
     */
    @Test
    void anInputPastTheDecodeDeadlineIsDeadLetteredAndItsBatchGoesOn() throws Exception {
        byte[] stuck = TestInputs.randomBytes(100, 7);
        CountDownLatch release = new CountDownLatch(1);
        ImagePreprocessor real = new ImagePreprocessor(ImageLimits.DEFAULTS);
        DecodeStage hanging = new DecodeStage((value, out, offset) -> {
            if (value == stuck) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Arrays.fill(out, offset, offset + InferenceEngine.PIXELS, 0.5f); // what a late decoder writes
                return PhotoMeasurements.NONE;
            }
            return real.preprocess(value, out, offset);
        }, Duration.ofMillis(100));
        try (StagePipeline pipeline = new StagePipeline(hanging, TestReleases.forward(network, Stages.REVIEW), Stages.ANSWER, MAX_BATCH, 1,
                "test")) {
            List<ConsumerRecord<byte[], byte[]>> in = List.of(record(0, "a", TestInputs.raw(0)), record(1, "b", stuck),
                    record(2, "c", TestInputs.raw(2)), record(3, "d", TestInputs.raw(3)));
            BatchAnswers answers = pipeline.runNow(in);

            assertEquals(List.of("results", "dlq", "results", "results"), answers.records().stream()
                    .map(ProducerRecord::topic).toList(), "the inputs after the stuck one were decoded too");
            assertEquals(InvalidImageException.Reason.DECODE_TIMEOUT,
                    ((InvalidImageException) answers.answers().get(1).error()).reason());
            assertEquals("decode_timeout", DeadLetters.reason(answers.answers().get(1).error()));
            List<Integer> alone = batches.runNow(List.of(in.get(0), in.get(2), in.get(3))).answers().stream()
                    .map(x -> x.prediction().label()).toList();
            assertEquals(alone, List.of(0, 2, 3).stream().map(i -> answers.answers().get(i).prediction().label()).toList(),
                    "the others classified as they are without the stuck one");

            BatchAnswers next = pipeline.runNow(List.of(record(4, "e", TestInputs.raw(4))));
            assertEquals("results", next.records().get(0).topic(), "the next batch runs with the helper still stuck");
            release.countDown();
            BatchAnswers after = pipeline.runNow(List.of(record(5, "f", TestInputs.raw(5))));
            assertEquals("results", after.records().get(0).topic());
        }
    }

    private static Class<?> errorType(Exception e) {
        return e == null ? null : e.getClass();
    }

    @Test
    void anEmptyBatchDecodesToNothing() {
        try (StagePipeline decoder = Stages.pipeline(network, MAX_BATCH, 2)) {
            StagePipeline.InFlight pending = decoder.start(List.of());
            assertEquals(0, pending.awaitDecoded().goodCount());
            pending.release();
        }
    }
}
