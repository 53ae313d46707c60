package io.fashionstream.worker.pipeline;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.worker.result.ClassificationResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Turns one micro-batch of input records into the records to publish in two steps:
 * {@link #prepare} decodes and preprocesses every value into one preallocated buffer, and
 * {@link #classify(PreparedBatch)} runs a single forward pass over the good ones and answers each
 * input, in order, with a result or a dead letter. The steps may run on different threads (see
 * {@link BatchDecoder}). Knows nothing of consumers, producers or commits. {@code classify} is
 * not thread-safe: one per worker thread, like its network; {@code prepare} is.
 */
public final class BatchClassifier {
    private final InferenceEngine classifier;
    private final ImagePreprocessor preprocessor;
    private final String modelName;
    private final String modelVersion;
    private final String resultsTopic;
    private final DeadLetters deadLetters;
    private final LongSupplier wallClockMillis;
    private final int maxBatch;
    private final Set<String> resultHeaders;

    /** @param resultHeaders the input headers a result carries ({@link CopiedHeaders#forResult}) */
    public BatchClassifier(InferenceEngine classifier, ImagePreprocessor preprocessor, String modelName,
                           String modelVersion, String resultsTopic, DeadLetters deadLetters, int maxBatch,
                           Set<String> resultHeaders, LongSupplier wallClockMillis) {
        this.classifier = classifier;
        this.preprocessor = preprocessor;
        this.modelName = modelName;
        this.modelVersion = modelVersion;
        this.resultsTopic = resultsTopic;
        this.deadLetters = deadLetters;
        this.wallClockMillis = wallClockMillis;
        this.maxBatch = maxBatch;
        this.resultHeaders = Set.copyOf(resultHeaders);
    }

    /**
     * One output record per input record, in the same order, decoding on the calling thread into a
     * buffer of its own (workers reuse the buffers of a {@link BatchDecoder} instead). At most
     * {@code maxBatch} inputs.
     */
    public BatchOutput classify(List<ConsumerRecord<byte[], byte[]>> batch) {
        return classify(prepare(batch, new float[batch.size() * InferenceEngine.PIXELS]));
    }

    /**
     * Decodes and preprocesses {@code batch} into {@code buffer} (at least {@code batch.size()}
     * images long). Touches no network, so it may run on another thread than {@link #classify}.
     */
    public PreparedBatch prepare(List<ConsumerRecord<byte[], byte[]>> batch, float[] buffer) {
        PreparedBatch prepared = newBatch(batch, buffer);
        decode(prepared, 0, batch.size());
        prepared.pack();
        return prepared;
    }

    /** An undecoded batch over {@code buffer}, for decoding in ranges ({@link BatchDecoder}). */
    PreparedBatch newBatch(List<ConsumerRecord<byte[], byte[]>> batch, float[] buffer) {
        checkSize(batch.size());
        return new PreparedBatch(batch, buffer);
    }

    /** Decodes inputs {@code from} to {@code to} (exclusive) of {@code batch}; thread-safe. */
    void decode(PreparedBatch batch, int from, int to) {
        batch.decode(preprocessor, from, to);
    }

    /** Runs one forward pass over a prepared batch's good inputs and answers every input, in order. */
    public BatchOutput classify(PreparedBatch batch) {
        checkSize(batch.size());
        int n = batch.size();
        int good = batch.goodCount();
        List<Prediction> predictions = List.of();
        long inferenceNanos = 0;
        if (good > 0) {
            long start = System.nanoTime();
            try {
                predictions = classifier.batchPredict(batch.pixels(), good);
            } catch (InferenceException e) {
                // Not the inputs' fault as far as we can tell, but retrying would fail the same way:
                // keep them (original bytes) in the dead-letter topic and carry on.
                batch.failRemaining(e);
            }
            inferenceNanos = System.nanoTime() - start;
        }

        long now = wallClockMillis.getAsLong();
        List<RecordOutcome> outcomes = new ArrayList<>(n);
        int classified = 0;
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> record = batch.records().get(i);
            Exception error = batch.error(i);
            if (error != null) {
                outcomes.add(new RecordOutcome(record, deadLetters.of(record, error), null, batch.truth(i), error));
                continue;
            }
            Prediction prediction = predictions.get(batch.row(i));
            outcomes.add(new RecordOutcome(record, result(record, prediction, batch.truth(i), good, now), prediction,
                    batch.truth(i), null));
            classified++;
        }
        return new BatchOutput(outcomes, classified, batch.decodeNanos(), inferenceNanos);
    }

    /** The most inputs one batch may hold: the size of the buffers {@link #prepare} needs. */
    public int maxBatch() {
        return maxBatch;
    }

    void checkSize(int n) {
        if (n > maxBatch) {
            throw new IllegalArgumentException(n + " records exceed the max batch of " + maxBatch);
        }
    }

    private ProducerRecord<byte[], byte[]> result(ConsumerRecord<byte[], byte[]> record, Prediction prediction,
                                                  FashionClass truth, int batchSize, long nowMillis) {
        String id = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        double latencyMs = record.timestamp() >= 0 ? Math.max(0, nowMillis - record.timestamp()) : 0;
        ClassificationResult result = ClassificationResult.of(id, prediction, modelName, modelVersion,
                record.partition(), record.offset(), batchSize, latencyMs, truth);
        // The allowed headers travel with the result (the trace context), so tracing spans the hop.
        return new ProducerRecord<>(resultsTopic, null, record.key(), result.toJsonBytes(),
                CopiedHeaders.forResult(record.headers(), resultHeaders));
    }
}
