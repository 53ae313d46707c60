package io.fashionstream.worker.batch;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.inference.Prediction;
import io.fashionstream.worker.fetch.Fetched;
import io.fashionstream.worker.release.Deployment;
import io.fashionstream.worker.release.LiveRelease;
import io.fashionstream.worker.release.Role;
import io.fashionstream.worker.records.CopiedHeaders;
import io.fashionstream.worker.records.DeadLetters;
import io.fashionstream.worker.records.PublishRefusedException;
import io.fashionstream.worker.records.ClassificationResult;
import io.fashionstream.worker.records.RankedClass;
import io.fashionstream.worker.records.ReviewRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The answer stage, the one place answers are built: a result for each classified input (and a
 * review record beside it when the answer is unsure) and a dead letter for each other one, in
 * input order ({@link #answer}), and, when Kafka refuses to
 * take an answer, the dead letter that replaces it ({@link #replacementFor}). Knows nothing of
 * consumers, producers or commits. Thread-safe.
 */
public final class AnswerStage {
    private final String resultsTopic;
    private final int topK;
    private final DeadLetters deadLetters;
    private final Set<String> resultHeaders;
    private final LongSupplier wallClockMillis;

    /**
     * @param topK          classes each result and review record lists
     * @param resultHeaders the input headers a result carries ({@link CopiedHeaders#forResult})
     */
    public AnswerStage(String resultsTopic, int topK, DeadLetters deadLetters, Set<String> resultHeaders,
                       LongSupplier wallClockMillis) {
        this.resultsTopic = resultsTopic;
        this.topK = topK;
        this.deadLetters = deadLetters;
        this.resultHeaders = Set.copyOf(resultHeaders);
        this.wallClockMillis = wallClockMillis;
    }

    /**
     * Answers every input of a scored batch, in order: with the canary's prediction where it answered
     * the input, the primary's elsewhere; each result names the release that answered it, and an
     * unsure answer goes to that release's review route.
     */
    public BatchAnswers answer(ScoredBatch scored) {
        long started = System.nanoTime();
        DecodedBatch batch = scored.decoded();
        int n = batch.size();
        int good = batch.goodCount();
        long now = wallClockMillis.getAsLong();
        List<Answer> answers = new ArrayList<>(n);
        int classified = 0;
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> record = batch.records().get(i);
            Exception error = batch.error(i);
            if (error != null) {
                answers.add(new Answer(record, deadLetters.of(record, error), null, batch.truth(i), error));
                continue;
            }
            ServedBy served = servedBy(scored, batch.row(i));
            Prediction prediction = served.role() == Role.CANARY ? scored.canary()[batch.row(i)]
                    : scored.predictions().get(batch.row(i));
            ReviewRoute review = served.release().review();
            boolean unsure = review.wants(prediction.confidence());
            answers.add(new Answer(record, result(record, prediction, served, unsure, batch.truth(i), batch.fetched(i),
                    good, now), unsure ? reviewRecord(record, prediction, served.release(), batch.truth(i)) : null,
                    prediction, batch.truth(i), batch.measured(i), null, served));
            classified++;
        }
        return new BatchAnswers(answers, classified, batch.decodeNanos(), scored.inferenceNanos(), scored.passes(),
                System.nanoTime() - started);
    }

    /**
     * What answers an input instead, once Kafka keeps refusing {@code refused} (for the reason
     * {@code kafkaCause}): a result is replaced by a dead letter, a dead letter by a minimal one
     * (no value, no input headers); empty when even the minimal one was refused.
     */
    public Optional<Answer> replacementFor(Answer refused, Throwable kafkaCause) {
        ConsumerRecord<byte[], byte[]> source = refused.source();
        if (!refused.output().topic().equals(deadLetters.topic())) {
            PublishRefusedException why = new PublishRefusedException("Kafka refused its result", kafkaCause);
            return Optional.of(deadLettered(refused, deadLetters.of(source, why), why));
        }
        if (refused.output().headers().lastHeader(DeadLetters.HEADERS_DROPPED) == null) {
            Exception why = refused.error() != null ? refused.error()
                    : new PublishRefusedException("Kafka refused its dead letter", kafkaCause);
            return Optional.of(deadLettered(refused, deadLetters.minimal(source, why), why));
        }
        return Optional.empty();
    }

    /** Who answers the input at {@code row}: the canary where it gave an answer for it, else the primary. */
    private static ServedBy servedBy(ScoredBatch scored, int row) {
        Deployment deployment = scored.deployment();
        Prediction shadow = scored.shadow() == null ? null : scored.shadow().get(row);
        if (scored.canary() != null && scored.canary()[row] != null) {
            return new ServedBy(deployment.canary(), Role.CANARY, scored.predictions().get(row),
                    deployment.shadow(), shadow);
        }
        return new ServedBy(deployment.primary(), Role.PRIMARY, null, deployment.shadow(), shadow);
    }

    /** The dead-letter topic. */
    public String deadLetterTopic() {
        return deadLetters.topic();
    }

    private static Answer deadLettered(Answer refused, ProducerRecord<byte[], byte[]> deadLetter, Exception why) {
        return new Answer(refused.source(), deadLetter, null, refused.truth(), why);
    }

    private ProducerRecord<byte[], byte[]> result(ConsumerRecord<byte[], byte[]> record, Prediction prediction,
                                                  ServedBy served, boolean unsure, FashionClass truth, Fetched fetched,
                                                  int batchSize, long nowMillis) {
        double latencyMs = record.timestamp() >= 0 ? Math.max(0, nowMillis - record.timestamp()) : 0;
        LiveRelease release = served.release();
        ClassificationResult result = ClassificationResult.of(id(record), prediction, topK, unsure, release.name(),
                release.version(), record.partition(), record.offset(), batchSize, latencyMs, truth)
                .withRelease(release.id(), served.role().label());
        if (fetched != null) {
            result = result.withFetched(new ClassificationResult.FetchedImage(fetched.url(), fetched.bytes().length,
                    fetched.sha256()));
        }
        // The allowed headers travel with the result (the trace context), so tracing spans the hop.
        return new ProducerRecord<>(resultsTopic, null, record.key(), result.toJsonBytes(),
                CopiedHeaders.forResult(record.headers(), resultHeaders));
    }

    /** The review record of an unsure answer: keyed and with headers as its result, on the review topic. */
    private ProducerRecord<byte[], byte[]> reviewRecord(ConsumerRecord<byte[], byte[]> record, Prediction prediction,
                                                        LiveRelease release, FashionClass truth) {
        ReviewRoute review = release.review();
        ReviewRecord value = new ReviewRecord(id(record),
                new ReviewRecord.Source(record.topic(), record.partition(), record.offset()), prediction.confidence(),
                review.threshold(), RankedClass.top(prediction.scores(), topK), release.name(), release.version(),
                truth == null ? null : truth.ordinal());
        return new ProducerRecord<>(review.topic(), null, record.key(), value.toJsonBytes(),
                CopiedHeaders.forResult(record.headers(), resultHeaders));
    }

    private static String id(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }
}
