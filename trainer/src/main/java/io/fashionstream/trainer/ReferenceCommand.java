package io.fashionstream.trainer;

import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.drift.AnswerProfile;
import io.fashionstream.core.drift.Reference;
import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelLoadException;
import io.fashionstream.core.model.ModelsDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code reference}: measures a trained model's answers on the validation images its training
 * held out (the same split, from the card's seed and size), raw and as photos, through the ONNX
 * model the worker serves, and writes them into its card. Training does this itself.
 */
@Command(name = "reference", mixinStandardHelpOptions = true,
        description = "Write a model's held-out answer distributions (the drift monitor's baseline) into its card.")
final class ReferenceCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a model file (models/simple.zip) or a name in the installation's models/ folder")
    String model;

    @Option(names = "--data", description = "directory with the training IDX files (default: $FASHION_MNIST_DIR, then "
            + FashionMnist.DEBIAN_DIR + ")")
    Path data;

    @Override
    public Integer call() throws Exception {
        Path modelsDir = ModelsDirectory.installed(TrainerCli.class);
        Path zip = ModelFiles.resolve(model, modelsDir);
        ModelCard card = ModelFiles.readCard(zip).orElseThrow(() -> new ModelLoadException(
                "no card beside " + zip + ": the held-out split is found from the card's seed and size"));
        LabelledImages all = new FashionMnist(Optional.ofNullable(data)).locate(FashionMnist.Split.TRAIN).load();
        LabelledImages heldOut = TrainValidationSplit.of(all, card.training().validationSamples(),
                card.training().seed()).validation();
        Reference reference;
        try (ServingModel serving = ServingModel.open(zip.toString(), modelsDir, EngineKind.ONNXRUNTIME,
                Runtime.getRuntime().availableProcessors())) {
            reference = HeldOutReference.of(serving.engine(), heldOut, card.training().seed());
        }
        ModelFiles.writeCard(card.withReference(reference), zip);
        System.out.printf("%s: review under confidence %.4f; %s%n", card.name(), reference.reviewThreshold(),
                describe("raw", reference.raw()) + "; " + describe("photos", reference.photo()));
        System.out.printf("Wrote %s%n", ModelFiles.cardPath(zip));
        return 0;
    }

    static String describe(String kind, AnswerProfile p) {
        return String.format("%s: %,d images, accuracy %.4f, %.2f%% under the threshold (accuracy there %s)", kind,
                p.count(), p.accuracy(), 100 * p.reviewShare(),
                p.reviewAccuracy() == null ? "-" : String.format("%.3f", p.reviewAccuracy()));
    }
}
