package io.fashionstream.trainer;

import io.fashionstream.core.data.DataNotFoundException;
import io.fashionstream.core.data.FashionMnist;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.model.Architecture;
import io.fashionstream.core.model.ModelCard;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    private static LabelledImages trainImages;
    private static LabelledImages test;

    @BeforeAll
    static void loadData() throws Exception {
        test = FashionMnist.loadShippedTestSplit();
        try {
            trainImages = new FashionMnist(Optional.empty()).locate(FashionMnist.Split.TRAIN).load().head(2_500);
        } catch (DataNotFoundException e) {
            // No training split on this machine (.ci/run installs it): train on the second half of the
            // test split instead and evaluate on the first half, which the network never sees.
            System.err.println("training split not found, training on test images 5,000-7,499: " + e.getMessage());
            trainImages = test.select(range(5_000, 7_500));
            test = test.head(5_000);
        }
    }

    @Test
    void twoThousandImagesLiftAccuracyFromChanceToAboveSixtyPercent() throws Exception {
        TrainValidationSplit split = TrainValidationSplit.of(trainImages, 500, 1);
        assertEquals(2_000, split.train().size());
        MultiLayerNetwork untrained = new MultiLayerNetwork(Architecture.SIMPLE.configuration(1));
        untrained.init();
        double before = new Dl4jEngine(untrained).evaluate(test, 512).accuracy();

        TrainingOptions options = new TrainingOptions(Architecture.SIMPLE, 3, 64, 1, 3, 500, 0, 0);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result result = new Trainer(options, new PrintStream(log, true), false, null).train(TrainingData.raw(split));
        double after = new Dl4jEngine(result.network()).evaluate(test, 512).accuracy();

        assertTrue(before < 0.25, "an untrained network is near chance, got " + before);
        assertTrue(after > 0.6, "2,000 images should lift test accuracy above 0.6, got " + after);
        assertEquals(3, result.history().size());
        assertTrue(log.toString().contains("Epoch 1/3") && log.toString().contains("val_accuracy"), log.toString());
    }

    @Test
    void theSameSeedGivesTheSameModel() throws Exception {
        TrainValidationSplit split = TrainValidationSplit.of(trainImages.head(700), 200, 5);
        TrainingOptions options = new TrainingOptions(Architecture.COMPLEX1, 1, 32, 5, 1, 200, 0, 0);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        float[] first = new Trainer(options, quiet, false, null).train(TrainingData.raw(split)).network().params().data().asFloat();
        float[] second = new Trainer(options, quiet, false, null).train(TrainingData.raw(split)).network().params().data().asFloat();
        assertArrayEquals(first, second, 0f);
    }

    @Test
    void earlyStoppingKeepsTheBestEpoch() throws Exception {
        // A tiny training set overfits quickly, so validation loss turns up and training stops early.
        TrainValidationSplit split = TrainValidationSplit.of(trainImages.head(400), 200, 2);
        TrainingOptions options = new TrainingOptions(Architecture.SIMPLE, 40, 16, 2, 2, 200, 0, 0);
        Trainer.Result result = new Trainer(options, new PrintStream(new ByteArrayOutputStream()), false, null).train(TrainingData.raw(split));
        assertTrue(result.history().size() < 40, "should stop early, ran " + result.history().size());
        assertEquals(result.bestEpoch() + 2, result.history().size(), "stops after 'patience' epochs without improvement");
        double bestLoss = result.history().get(result.bestEpoch() - 1).validationLoss();
        double restoredLoss = Trainer.loss(result.network(), split.validation());
        assertEquals(bestLoss, restoredLoss, 1e-5, "the best epoch's weights are the ones kept");
    }

    @Test
    void aStopRequestEndsTrainingAndKeepsTheBestCompletedEpoch() throws Exception {
        TrainValidationSplit split = TrainValidationSplit.of(trainImages.head(600), 200, 3);
        TrainingOptions options = new TrainingOptions(Architecture.SIMPLE, 50, 16, 3, 50, 200, 0, 0);
        Trainer.Result result = stoppedAtTheLogLineOfEpoch(2, options, null).train(TrainingData.raw(split));
        assertEquals(Trainer.StopReason.INTERRUPTED, result.stopReason());
        assertEquals(2, result.history().size(), "the interrupted third epoch is not recorded");
        assertTrue(result.bestEpoch() >= 1 && result.bestEpoch() <= 2);
    }

    @Test
    void aResumedRunGivesTheSameModelAsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        // complex1 has dropout and the photo views are picked at random: both random streams must resume exactly.
        TrainingData data = TrainingData.withPhotoViews(TrainValidationSplit.of(trainImages.head(600), 200, 4), 4, 2);
        TrainingOptions options = new TrainingOptions(Architecture.COMPLEX1, 3, 32, 4, 3, 200, 0, 0.5);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Trainer.Result straight = new Trainer(options, quiet, false, dir.resolve("straight")).train(data);

        Path interruptedDir = dir.resolve("interrupted");
        assertEquals(Trainer.StopReason.INTERRUPTED,
                stoppedAtTheLogLineOfEpoch(2, options, interruptedDir).train(data).stopReason());
        Checkpoint.Loaded checkpoint = Checkpoint.load(interruptedDir).orElseThrow();
        assertEquals(2, checkpoint.state().epoch());
        try (var files = Files.list(interruptedDir)) {
            assertEquals(List.of("best-002.bin", "epoch-002.zip", "state.json"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "only the latest checkpoint is kept");
        }

        Trainer.Result resumed = new Trainer(options, quiet, false, interruptedDir).resume(data, checkpoint);
        assertEquals(straight.history().stream().map(TrainerTest::withoutTime).toList(),
                resumed.history().stream().map(TrainerTest::withoutTime).toList(), "the same per-epoch figures");
        assertEquals(straight.bestEpoch(), resumed.bestEpoch());
        assertArrayEquals(straight.network().params().data().asFloat(), resumed.network().params().data().asFloat(), 0f,
                "bit for bit the same weights");
        assertTrue(resumed.history().get(2).photoValidationAccuracy() != null, "photo views are validated too");

        TrainingOptions otherBatch = new TrainingOptions(Architecture.COMPLEX1, 3, 64, 4, 3, 200, 0, 0.5);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(otherBatch, quiet, false, interruptedDir).resume(data, checkpoint));
        assertTrue(refused.getMessage().contains("batchSize=32"), refused.getMessage());
    }

    /** A trainer whose stop is requested when it logs {@code epoch}'s line: the moment a user presses Ctrl-C. */
    private static Trainer stoppedAtTheLogLineOfEpoch(int epoch, TrainingOptions options, Path checkpointDir) {
        Trainer[] trainer = new Trainer[1];
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true) {
            @Override
            public PrintStream printf(String format, Object... args) {
                if (format.startsWith("Epoch") && args[0].equals(epoch)) {
                    trainer[0].requestStop();
                }
                return super.printf(format, args);
            }
        };
        trainer[0] = new Trainer(options, log, false, checkpointDir);
        return trainer[0];
    }

    private static ModelCard.EpochStats withoutTime(ModelCard.EpochStats e) {
        return new ModelCard.EpochStats(e.epoch(), e.trainLoss(), e.trainAccuracy(), e.validationLoss(),
                e.validationAccuracy(), 0, e.photoValidationLoss(), e.photoValidationAccuracy());
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
