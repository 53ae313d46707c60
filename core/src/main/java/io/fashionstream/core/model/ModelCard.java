package io.fashionstream.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fashionstream.core.drift.Reference;
import io.fashionstream.core.eval.ClassificationReport;

import java.util.List;
import java.util.Map;

/**
 * What a trained model is and how well it does: written as {@code models/<name>.json} beside
 * the model, read by the worker (version, reference accuracy) and by people.
 *
 * @param modelSha256   SHA-256 of the {@code .zip}; its first 12 hex digits are the model version
 * @param onnxSha256    SHA-256 of the {@code .onnx} export beside it (the same network for any ONNX runtime)
 * @param backend       the ND4J native build that trained it
 * @param dataSha256    SHA-256 of every data file used, by file name
 * @param reference     the model's answers on held-out images, raw and as photos: what drift is
 *                      measured against, and the review threshold (null in cards written before it)
 * @param int8          its INT8 version, if one was made ({@code fashion-trainer quantize}), and how it compares
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelCard(
        String name,
        String modelSha256,
        String onnxSha256,
        List<String> architecture,
        long parameters,
        Training training,
        String backend,
        String cpu,
        double validationAccuracy,
        double testAccuracy,
        Double notebookAccuracy,
        List<ClassificationReport.ClassMetrics> perClass,
        long[][] confusionMatrix,
        Map<String, String> dataSha256,
        String createdAt,
        Reference reference,
        Int8 int8) {

    /**
     * The INT8 version of the model ({@code models/<name>.int8.onnx}, QDQ) against its float32 export,
     * on the same images.
     *
     * @param sha256             SHA-256 of the INT8 file; null when it was not written because it does not pay
     * @param calibration        which images set its activation ranges
     * @param testAccuracy       its accuracy on the raw test split (float32's is the card's {@code testAccuracy})
     * @param photoImages        how many test images each photo variation was rendered from
     * @param photoAccuracy      its accuracy on each standard photo variation of them, by variation name
     * @param fp32PhotoAccuracy  float32's on the same photos
     * @param speedupAtBatch64   its images/s over float32's at batch 64, measured on {@code cpu}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Int8(String sha256, String calibration, double testAccuracy, int photoImages,
                       Map<String, Double> photoAccuracy, Map<String, Double> fp32PhotoAccuracy,
                       double speedupAtBatch64, String cpu) {
        /** The most accuracy (a fraction) INT8 may lose, on raw images and on any photo variation, to be chosen by {@code auto}. */
        public static final double MAX_LOSS = 0.003;

        /** Whether it loses at most {@link #MAX_LOSS} against float32 on raw images and on every photo variation. */
        public boolean keepsAccuracy(double fp32TestAccuracy) {
            if (fp32TestAccuracy - testAccuracy > MAX_LOSS) {
                return false;
            }
            return fp32PhotoAccuracy.entrySet().stream()
                    .allMatch(e -> e.getValue() - photoAccuracy.getOrDefault(e.getKey(), 0.0) <= MAX_LOSS);
        }
    }

    /** How the model was trained. */
    public record Training(
            String optimizer,
            double learningRate,
            int batchSize,
            long seed,
            int epochsRequested,
            int epochsRun,
            int bestEpoch,
            int earlyStoppingPatience,
            String stopReason,
            String augmentation,
            int trainSamples,
            int validationSamples,
            double trainingSeconds,
            List<EpochStats> history) {
    }

    /**
     * One epoch's figures, as the notebook's training log shows them; with photo augmentation, also
     * the loss and accuracy on the validation images' photo views (null otherwise).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EpochStats(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                             double validationAccuracy, double seconds, Double photoValidationLoss,
                             Double photoValidationAccuracy) {
    }

    /** This card with the model file's checksum filled in. */
    public ModelCard withModelSha256(String sha256) {
        return new ModelCard(name, sha256, onnxSha256, architecture, parameters, training, backend, cpu,
                validationAccuracy, testAccuracy, notebookAccuracy, perClass, confusionMatrix, dataSha256, createdAt,
                reference, int8);
    }

    /** This card with the ONNX export's checksum filled in (null: no export). */
    public ModelCard withOnnxSha256(String sha256) {
        return new ModelCard(name, modelSha256, sha256, architecture, parameters, training, backend, cpu,
                validationAccuracy, testAccuracy, notebookAccuracy, perClass, confusionMatrix, dataSha256, createdAt,
                reference, int8);
    }

    /** This card with its held-out reference answers. */
    public ModelCard withReference(Reference held) {
        return new ModelCard(name, modelSha256, onnxSha256, architecture, parameters, training, backend, cpu,
                validationAccuracy, testAccuracy, notebookAccuracy, perClass, confusionMatrix, dataSha256, createdAt,
                held, int8);
    }

    /** This card with its INT8 version's figures. */
    public ModelCard withInt8(Int8 quantized) {
        return new ModelCard(name, modelSha256, onnxSha256, architecture, parameters, training, backend, cpu,
                validationAccuracy, testAccuracy, notebookAccuracy, perClass, confusionMatrix, dataSha256, createdAt,
                reference, quantized);
    }

    /** The short version string: first 12 hex digits of the model file's SHA-256. */
    public String version() {
        return modelSha256 == null ? "unknown" : modelSha256.substring(0, Math.min(12, modelSha256.length()));
    }
}
