package io.fashionstream.trainer;

import io.fashionstream.core.data.ImageTensors;
import io.fashionstream.core.data.LabelledImages;
import io.fashionstream.core.data.TrainValidationSplit;
import io.fashionstream.core.inference.FashionClassifier;
import io.fashionstream.core.inference.InferenceException;
import io.fashionstream.core.model.ModelCard.EpochStats;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The training loop: shuffled mini-batches, a progress bar per epoch, the notebook's per-epoch
 * log line, and early stopping on validation loss that keeps the best epoch's weights.
 * {@link #requestStop()} (Ctrl-C) ends training at the next step, keeping the best completed
 * epoch. The same options and data give the same model.
 */
public final class Trainer {
    private static final int EVAL_BATCH = 512;
    private static final double MIN_IMPROVEMENT = 1e-4;

    private final TrainingOptions options;
    private final PrintStream log;
    private final boolean showProgress;
    private volatile boolean stopRequested;

    public Trainer(TrainingOptions options, PrintStream log, boolean showProgress) {
        this.options = options;
        this.log = log;
        this.showProgress = showProgress;
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

    public Result train(TrainValidationSplit data) throws InferenceException {
        long start = System.nanoTime();
        Nd4j.getRandom().setSeed(options.seed()); // dropout masks
        Random random = new Random(options.seed()); // batch order and flips
        MultiLayerNetwork net = new MultiLayerNetwork(options.architecture().configuration(options.seed()));
        net.init();

        LabelledImages train = data.train();
        LabelledImages trainProbe = train.head(Math.min(train.size(), data.validation().size()));
        int[] order = ImageTensors.identityOrder(train.size());
        int steps = (train.size() + options.batchSize() - 1) / options.batchSize();

        List<EpochStats> history = new ArrayList<>();
        INDArray bestParams = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        StopReason reason = StopReason.MAX_EPOCHS;
        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            TrainValidationSplit.shuffle(order, random);
            double lossSum = 0;
            try (ProgressBar bar = progressBar(epoch, steps)) {
                for (int step = 0; step < steps && !stopRequested; step++) {
                    int from = step * options.batchSize();
                    int n = Math.min(options.batchSize(), train.size() - from);
                    boolean[] flips = options.architecture().augmented() ? randomFlips(random, n) : null;
                    net.fit(new DataSet(ImageTensors.features(train, order, from, n, flips),
                            ImageTensors.oneHotLabels(train, order, from, n)));
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
            double trainAcc = new FashionClassifier(net).evaluate(trainProbe, EVAL_BATCH).accuracy();
            double valLoss = loss(net, data.validation());
            double valAcc = new FashionClassifier(net).evaluate(data.validation(), EVAL_BATCH).accuracy();
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            history.add(new EpochStats(epoch, trainLoss, trainAcc, valLoss, valAcc, seconds));
            log.printf("Epoch %d/%d - %.0fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f%n",
                    epoch, options.epochs(), seconds, trainLoss, trainAcc, valLoss, valAcc);
            if (valLoss < bestLoss - MIN_IMPROVEMENT) {
                bestLoss = valLoss;
                bestEpoch = epoch;
                bestParams = net.params().dup();
            } else if (epoch - bestEpoch >= options.patience()) {
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
        return new Result(net, history, bestEpoch, (System.nanoTime() - start) / 1e9, reason);
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
