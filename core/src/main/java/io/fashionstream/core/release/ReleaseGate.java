package io.fashionstream.core.release;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.Sha256;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.eval.ClassificationReport;
import io.fashionstream.core.inference.InferenceEngine;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.inference.ModelSignature;
import io.fashionstream.core.inference.OnnxEngine;
import io.fashionstream.core.model.ModelCard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * What a model release must pass before it serves, run alike by {@code release publish} and by
 * every worker that applies a release: its bytes hash to the SHA-256 it was published with (and
 * its card's), ONNX Runtime opens it, it takes {@code [N, 1, 28, 28]} and gives {@code [N, 10]},
 * it names the ten Fashion-MNIST classes in their order (in its metadata and its card), and on the
 * golden set (the shipped test split, 10,000 images) it scores at most the tolerance under the
 * test accuracy its card claims. A release that passes comes with its engine open; one that fails
 * says which check refused it and why. Thread-safe.
 */
public final class ReleaseGate {
    /** How far under its card's test accuracy a release may score on the golden set: half a point. */
    public static final double DEFAULT_TOLERANCE = 0.005;
    static final long[] INPUT_SHAPE = {-1, 1, 28, 28};
    static final long[] OUTPUT_SHAPE = {-1, FashionClass.COUNT};

    private final double tolerance;
    private final int intraOpThreads;
    private final int batch;
    private volatile LabelledImages golden;

    /**
     * A gate whose engines are closed after it or serve batches of any size.
     *
     * @param tolerance      accuracy (a fraction: 0.005 is half a point) a release may lose against its card
     * @param intraOpThreads ONNX Runtime threads of the engine a passing release is opened with
     */
    public ReleaseGate(double tolerance, int intraOpThreads) {
        this(tolerance, intraOpThreads, InferenceEngine.PREDICT_ALL_BATCH);
    }

    /**
     * @param batch the most images the golden set is scored at a time: a passing release's engine
     *              serves afterwards and keeps the memory of its largest batch, so at most the
     *              worker's --max-batch
     */
    public ReleaseGate(double tolerance, int intraOpThreads, int batch) {
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("the gate's tolerance is an accuracy between 0 and 1, not " + tolerance);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("the gate scores at least one image at a time, not " + batch);
        }
        this.tolerance = tolerance;
        this.intraOpThreads = intraOpThreads;
        this.batch = batch;
    }

    /** Why a release was refused; {@link #label()} is the metric label and log word. */
    public enum Check {
        CARD, CHECKSUM, UNREADABLE, SHAPE, CLASSES, ACCURACY;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The gate's answer: {@link Passed} or {@link Refused}. */
    public sealed interface Verdict permits Passed, Refused {
    }

    /**
     * A release that passed, with its engine open (the caller's to close) and what it scored.
     *
     * @param accuracy its accuracy on the golden set
     */
    public record Passed(OnnxEngine engine, double accuracy, int goldenImages) implements Verdict {
    }

    /** A release that failed {@code check}, and why in words. */
    public record Refused(Check check, String reason) implements Verdict {
    }

    /** Runs every check on a release's ONNX bytes, the SHA-256 it was published with and its card. */
    public Verdict check(byte[] onnx, String declaredSha256, ModelCard card) {
        if (card == null) {
            return new Refused(Check.CARD, "the release has no model card, so nothing says what it should score");
        }
        String actual = Sha256.hex(onnx);
        if (!actual.equalsIgnoreCase(declaredSha256)) {
            return new Refused(Check.CHECKSUM, "its bytes hash to SHA-256 " + actual + ", it was published as "
                    + declaredSha256 + " (corrupted or replaced)");
        }
        if (card.onnxSha256() != null && !actual.equalsIgnoreCase(card.onnxSha256())) {
            return new Refused(Check.CHECKSUM, "its bytes hash to SHA-256 " + actual + ", its card says "
                    + card.onnxSha256() + " (the card belongs to another file)");
        }
        OnnxEngine engine;
        try {
            engine = OnnxEngine.open(onnx, intraOpThreads);
        } catch (InferenceException e) {
            return new Refused(Check.UNREADABLE, e.getMessage());
        }
        Verdict verdict;
        try {
            verdict = score(engine, card);
        } catch (RuntimeException e) {
            verdict = new Refused(Check.UNREADABLE, "checking it failed: " + e);
        }
        if (verdict instanceof Refused) {
            engine.close();
        }
        return verdict;
    }

    private Verdict score(OnnxEngine engine, ModelCard card) {
        ModelSignature signature;
        try {
            signature = engine.signature();
        } catch (InferenceException e) {
            return new Refused(Check.UNREADABLE, e.getMessage());
        }
        if (!ModelSignature.matches(signature.inputShape(), INPUT_SHAPE)
                || !ModelSignature.matches(signature.outputShape(), OUTPUT_SHAPE)) {
            return new Refused(Check.SHAPE, "it takes " + ModelSignature.describe(signature.inputShape()) + " and gives "
                    + ModelSignature.describe(signature.outputShape()) + ", not " + ModelSignature.describe(INPUT_SHAPE)
                    + " and " + ModelSignature.describe(OUTPUT_SHAPE));
        }
        List<String> expected = Arrays.stream(FashionClass.values()).map(FashionClass::displayName).toList();
        if (!expected.equals(signature.classNames())) {
            return new Refused(Check.CLASSES, "its metadata names the classes " + signature.classNames() + ", not " + expected);
        }
        List<String> carded = card.perClass() == null ? List.of()
                : card.perClass().stream().map(ClassificationReport.ClassMetrics::label).toList();
        if (!expected.equals(carded)) {
            return new Refused(Check.CLASSES, "its card names the classes " + carded + ", not " + expected);
        }
        LabelledImages images = golden();
        double accuracy;
        try {
            accuracy = InferenceEngine.accuracy(engine, images, batch);
        } catch (InferenceException e) {
            return new Refused(Check.UNREADABLE, "its forward pass failed on the golden set: " + e.getMessage());
        }
        if (accuracy < card.testAccuracy() - tolerance) {
            return new Refused(Check.ACCURACY, String.format(java.util.Locale.ROOT,
                    "it scores %.4f on the %d golden images, its card claims %.4f (tolerance %.4f)", accuracy,
                    images.size(), card.testAccuracy(), tolerance));
        }
        return new Passed(engine, accuracy, images.size());
    }

    /** The golden set, loaded once: the test split shipped on the class path. */
    private LabelledImages golden() {
        LabelledImages set = golden;
        if (set == null) {
            try {
                set = FashionMnist.loadShippedTestSplit();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the shipped test split, the gate's golden set", e);
            }
            golden = set;
        }
        return set;
    }

    /** The gate's tolerance. */
    public double tolerance() {
        return tolerance;
    }
}
