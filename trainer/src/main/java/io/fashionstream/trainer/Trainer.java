package io.fashionstream.trainer;

import io.fashionstream.core.data.ImageTensors;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.inference.Dl4jEngine;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.model.Augmentation;
import io.fashionstream.core.model.ModelCard.EpochStats;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The training loop: shuffled mini-batches (part of each given as catalog-photo views when the
 * data has them), a progress bar per epoch, the notebook's per-epoch log line, early stopping on
 * validation loss that keeps the best epoch's weights, and a {@link Checkpoint} after every
 * epoch from which {@link #resume} continues. {@link #requestStop()} (Ctrl-C) ends training at
 * the next step, keeping the best completed epoch. The same options and data give the same
 * model, whether or not the run was interrupted and resumed.
 */
public final class Trainer {
    private static final int EVAL_BATCH = 512;
    private static final double MIN_IMPROVEMENT = 1e-4;

    private final TrainingOptions options;
    private final PrintStream log;
    private final boolean showProgress;
    private final Path checkpointDir;
    private volatile boolean stopRequested;

    /** @param checkpointDir where a {@link Checkpoint} is written after every epoch; null: none */
    public Trainer(TrainingOptions options, PrintStream log, boolean showProgress, Path checkpointDir) {
        this.options = options;
        this.log = log;
        this.showProgress = showProgress;
        this.checkpointDir = checkpointDir;
        SameDiffChatter.silence();
    }

    /** Why training ended. */
    public enum StopReason {
        MAX_EPOCHS("ran all epochs"), EARLY_STOPPING("early stopping"), INTERRUPTED("interrupted");

        private final String text;

        StopReason(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** The trained network (best epoch's weights) and what happened on the way. */
    public record Result(MultiLayerNetwork network, List<EpochStats> history, int bestEpoch, double seconds,
                         StopReason stopReason) {
    }

    /** Asks the loop to stop at the next step; the best completed epoch is kept. Thread-safe. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Trains a fresh network from the options' seed. */
    public Result train(TrainingData data) throws InferenceException, IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(options.architecture().configuration(options.seed()));
        net.init();
        return run(data, net, null);
    }

    /**
     * Continues the run {@code from} left off, to the same model an uninterrupted run with the same
     * options gives. The options that fix what is trained must match the checkpoint's.
     */
    public Result resume(TrainingData data, Checkpoint.Loaded from) throws InferenceException, IOException {
        from.state().requireCompatible(options);
        log.printf("Resuming after epoch %d (best so far: epoch %d)%n", from.state().epoch(), from.state().bestEpoch());
        return run(data, from.network(), from);
    }

    private Result run(TrainingData data, MultiLayerNetwork net, Checkpoint.Loaded resumed)
            throws InferenceException, IOException {
        long start = System.nanoTime();
        double earlierSeconds = resumed == null ? 0 : resumed.state().seconds();
        LabelledImages train = data.raw().train();
        // Raw images at [0, n), their photo views at [n, 2n): a batch picks either by index.
        LabelledImages pool = data.photos() == null ? train : train.followedBy(data.photos().train());
        int viewOffset = data.photos() == null ? 0 : train.size();
        Augmentation augmentation = options.architecture().augmentation();
        LabelledImages trainProbe = train.head(Math.min(train.size(), data.raw().validation().size()));
        int steps = (train.size() + options.batchSize() - 1) / options.batchSize();

        List<EpochStats> history = new ArrayList<>(resumed == null ? List.of() : resumed.state().history());
        INDArray bestParams = resumed == null ? null : resumed.bestParams();
        double bestLoss = resumed == null ? Double.POSITIVE_INFINITY : resumed.state().bestLoss();
        int bestEpoch = resumed == null ? 0 : resumed.state().bestEpoch();
        int firstEpoch = resumed == null ? 1 : resumed.state().epoch() + 1;
        StopReason reason = StopReason.MAX_EPOCHS;
        if (resumed != null && firstEpoch - bestEpoch > options.patience()) {
            reason = StopReason.EARLY_STOPPING; // the checkpointed run had already stopped
            firstEpoch = options.epochs() + 1;
        }
        for (int epoch = firstEpoch; epoch <= options.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            // Every epoch's randomness (order, photo picks, flips, dropout) comes from the seed and
            // the epoch alone, so a resumed run draws exactly what an uninterrupted one would.
            Random random = new Random(options.seed() * 0x9E3779B97F4A7C15L + epoch);
            Nd4j.getRandom().setSeed(options.seed() + 7919L * epoch);
            int[] order = ImageTensors.identityOrder(train.size());
            TrainValidationSplit.shuffle(order, random);
            double lossSum = 0;
            try (ProgressBar bar = progressBar(epoch, steps)) {
                for (int step = 0; step < steps && !stopRequested; step++) {
                    int from = step * options.batchSize();
                    int n = Math.min(options.batchSize(), train.size() - from);
                    int[] picks = picks(order, from, n, viewOffset, random);
                    boolean[] flips = augmentation.flips() ? randomFlips(random, n) : null;
                    INDArray features = ImageAugmenter.apply(ImageTensors.features(pool, picks, 0, n, flips),
                            augmentation, random);
                    net.fit(new DataSet(features, ImageTensors.oneHotLabels(pool, picks, 0, n)));
                    lossSum += net.score() * n;
                    if (bar != null) {
                        bar.step();
                        bar.setExtraMessage(String.format(" loss %.4f", lossSum / (from + n)));
                    }
                }
            }
            if (stopRequested) {
                reason = StopReason.INTERRUPTED;
                log.printf("Interrupted during epoch %d; keeping epoch %d%n", epoch, bestEpoch);
                break;
            }
            double trainLoss = lossSum / train.size();
            double trainAcc = new Dl4jEngine(net).evaluate(trainProbe, EVAL_BATCH).accuracy();
            double valLoss = loss(net, data.raw().validation());
            double valAcc = new Dl4jEngine(net).evaluate(data.raw().validation(), EVAL_BATCH).accuracy();
            Double photoLoss = null;
            Double photoAcc = null;
            double stoppingLoss = valLoss;
            if (data.photos() != null) {
                photoLoss = loss(net, data.photos().validation());
                photoAcc = new Dl4jEngine(net).evaluate(data.photos().validation(), EVAL_BATCH).accuracy();
                stoppingLoss = (valLoss + photoLoss) / 2; // good on raw images and on photos alike
            }
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            history.add(new EpochStats(epoch, trainLoss, trainAcc, valLoss, valAcc, seconds, photoLoss, photoAcc));
            log.printf("Epoch %d/%d - %.0fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f%s%n",
                    epoch, options.epochs(), seconds, trainLoss, trainAcc, valLoss, valAcc,
                    photoAcc == null ? "" : String.format(" - photo_val_loss: %.4f - photo_val_accuracy: %.4f",
                            photoLoss, photoAcc));
            boolean improved = stoppingLoss < bestLoss - MIN_IMPROVEMENT;
            if (improved) {
                bestLoss = stoppingLoss;
                bestEpoch = epoch;
                bestParams = net.params().dup();
            }
            if (checkpointDir != null) {
                new Checkpoint(epoch, bestEpoch, bestLoss, earlierSeconds + (System.nanoTime() - start) / 1e9,
                        history, Checkpoint.Signature.of(options)).save(checkpointDir, net, bestParams);
            }
            if (!improved && epoch - bestEpoch >= options.patience()) {
                log.printf("Early stopping: validation loss has not improved for %d epochs; keeping epoch %d%n",
                        options.patience(), bestEpoch);
                reason = StopReason.EARLY_STOPPING;
                break;
            }
        }
        if (bestParams == null) {
            throw new IllegalStateException("training was interrupted before its first epoch completed");
        }
        net.setParams(bestParams);
        return new Result(net, history, bestEpoch, earlierSeconds + (System.nanoTime() - start) / 1e9, reason);
    }

    /**
     * The pool indices of batch {@code [from, from + n)} of {@code order}: each image's photo view
     * (at {@code viewOffset} past it) with probability photoShare, else the raw image.
     */
    private int[] picks(int[] order, int from, int n, int viewOffset, Random random) {
        int[] picks = new int[n];
        for (int i = 0; i < n; i++) {
            boolean view = viewOffset > 0 && random.nextDouble() < options.photoShare();
            picks[i] = order[from + i] + (view ? viewOffset : 0);
        }
        return picks;
    }

    private ProgressBar progressBar(int epoch, int steps) {
        if (!showProgress) {
            return null;
        }
        return new ProgressBarBuilder()
                .setTaskName(String.format("Epoch %d/%d", epoch, options.epochs()))
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .build();
    }

    private static boolean[] randomFlips(Random random, int n) {
        boolean[] flips = new boolean[n];
        for (int i = 0; i < n; i++) {
            flips[i] = random.nextBoolean();
        }
        return flips;
    }

    /** Mean cross-entropy over a data set, in inference mode (no dropout). */
    static double loss(MultiLayerNetwork net, LabelledImages images) {
        int[] order = ImageTensors.identityOrder(images.size());
        double sum = 0;
        for (int from = 0; from < images.size(); from += EVAL_BATCH) {
            int n = Math.min(EVAL_BATCH, images.size() - from);
            DataSet batch = new DataSet(ImageTensors.features(images, order, from, n, null),
                    ImageTensors.oneHotLabels(images, order, from, n));
            sum += net.score(batch, false) * n;
        }
        return sum / images.size();
    }
}
