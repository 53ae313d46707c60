package io.fashionstream.worker.pipeline;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.image.ImagePreprocessor;
import io.fashionstream.core.image.InvalidImageException;
import io.fashionstream.core.inference.FashionClassifier;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.worker.result.ClassificationResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Turns one micro-batch of input records into the records to publish: decodes and
 * preprocesses every value into one preallocated buffer, runs a single forward pass over the
 * good ones, and answers each input, in order, with a result or a dead letter. Knows nothing of
 * consumers, producers or commits. Not thread-safe: one per worker thread, like its classifier.
 */
public final class BatchClassifier {
    private final FashionClassifier classifier;
    private final ImagePreprocessor preprocessor;
    private final String modelName;
    private final String modelVersion;
    private final String resultsTopic;
    private final String deadLetterTopic;
    private final LongSupplier wallClockMillis;
    private final float[] pixels;
    private final int maxBatch;

    public BatchClassifier(FashionClassifier classifier, ImagePreprocessor preprocessor, String modelName,
                           String modelVersion, String resultsTopic, String deadLetterTopic, int maxBatch,
                           LongSupplier wallClockMillis) {
        this.classifier = classifier;
        this.preprocessor = preprocessor;
        this.modelName = modelName;
        this.modelVersion = modelVersion;
        this.resultsTopic = resultsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.wallClockMillis = wallClockMillis;
        this.maxBatch = maxBatch;
        this.pixels = new float[maxBatch * FashionClassifier.PIXELS];
    }

    /** One output record per input record, in the same order. At most {@code maxBatch} inputs. */
    public BatchOutput classify(List<ConsumerRecord<byte[], byte[]>> batch) {
        if (batch.size() > maxBatch) {
            throw new IllegalArgumentException(batch.size() + " records exceed the max batch of " + maxBatch);
        }
        int n = batch.size();
        FashionClass[] truths = new FashionClass[n];
        Exception[] errors = new Exception[n];
        int[] slots = new int[n];
        int good = 0;
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> record = batch.get(i);
            try {
                truths[i] = LabelHeader.read(record.headers());
                preprocessor.preprocess(record.value(), pixels, good * FashionClassifier.PIXELS);
                slots[i] = good++;
            } catch (InvalidLabelException | InvalidImageException e) {
                errors[i] = e;
            }
        }

        List<Prediction> predictions = List.of();
        long inferenceNanos = 0;
        if (good > 0) {
            long start = System.nanoTime();
            try {
                predictions = classifier.batchPredict(pixels, good);
            } catch (InferenceException e) {
                // Not the inputs' fault as far as we can tell, but retrying would fail the same way:
                // keep them (original bytes) in the dead-letter topic and carry on.
                for (int i = 0; i < n; i++) {
                    if (errors[i] == null) {
                        errors[i] = e;
                    }
                }
            }
            inferenceNanos = System.nanoTime() - start;
        }

        long now = wallClockMillis.getAsLong();
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(n);
        List<RecordOutcome> outcomes = new ArrayList<>(n);
        int classified = 0;
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> record = batch.get(i);
            if (errors[i] != null) {
                out.add(DeadLetters.of(record, deadLetterTopic, errors[i]));
                outcomes.add(new RecordOutcome(record, null, truths[i], errors[i]));
                continue;
            }
            Prediction prediction = predictions.get(slots[i]);
            out.add(result(record, prediction, truths[i], good, now));
            outcomes.add(new RecordOutcome(record, prediction, truths[i], null));
            classified++;
        }
        return new BatchOutput(out, outcomes, classified, inferenceNanos);
    }

    private ProducerRecord<byte[], byte[]> result(ConsumerRecord<byte[], byte[]> record, Prediction prediction,
                                                  FashionClass truth, int batchSize, long nowMillis) {
        String id = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        double latencyMs = record.timestamp() >= 0 ? Math.max(0, nowMillis - record.timestamp()) : 0;
        ClassificationResult result = ClassificationResult.of(id, prediction, modelName, modelVersion,
                record.partition(), record.offset(), batchSize, latencyMs, truth);
        // Headers travel with the result (traceparent and any others), so tracing spans the hop.
        return new ProducerRecord<>(resultsTopic, null, record.key(), result.toJsonBytes(),
                new RecordHeaders(record.headers().toArray()));
    }
}
