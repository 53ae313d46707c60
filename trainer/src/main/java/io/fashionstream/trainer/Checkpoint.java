package io.fashionstream.trainer;

import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelLoadException;

import io.fashionstream.core.Json;
import io.fashionstream.core.model.ModelCard.EpochStats;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where training stood after a completed epoch, in a directory: the network with its optimiser
 * state ({@code epoch-N.zip}), the best epoch's weights ({@code best-N.bin}) and
 * {@code state.json}, which names them and holds the epoch, the best-so-far, the history and the
 * options the run was started with. The random streams are derived from the seed and the epoch,
 * so nothing else is needed to continue exactly. {@code state.json} is replaced atomically last,
 * so a run killed at any moment leaves the previous complete checkpoint.
 *
 * @param epoch         epochs completed
 * @param bestEpoch     the epoch with the lowest validation loss so far
 * @param bestLoss      that loss
 * @param seconds       training time spent so far, over every session
 * @param options       what the run was started with; a resumed run must match
 */
public record Checkpoint(int epoch, int bestEpoch, double bestLoss, double seconds, List<EpochStats> history,
                         Signature options) {
    private static final String STATE = "state.json";

    /** The options that fix what is trained; the epoch limit and the patience may change on resume. */
    public record Signature(String model, int batchSize, long seed, int validation, int trainLimit, double photoShare) {
        static Signature of(TrainingOptions o) {
            return new Signature(o.architecture().modelName(), o.batchSize(), o.seed(), o.validation(), o.trainLimit(),
                    o.photoShare());
        }
    }

    /** A checkpoint read back, with its network (optimiser state included) and best weights. */
    public record Loaded(Checkpoint state, MultiLayerNetwork network, INDArray bestParams) {
    }

    /** Writes this checkpoint to {@code dir}, then removes the files of earlier ones. */
    void save(Path dir, MultiLayerNetwork network, INDArray bestParams) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve("writing.tmp");
        ModelSerializer.writeModel(network, tmp.toFile(), true);
        Files.move(tmp, dir.resolve(networkFile(epoch)), StandardCopyOption.REPLACE_EXISTING);
        Nd4j.saveBinary(bestParams, tmp.toFile());
        Files.move(tmp, dir.resolve(bestFile(epoch)), StandardCopyOption.REPLACE_EXISTING);
        Json.MAPPER.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if ((name.startsWith("epoch-") || name.startsWith("best-"))
                        && !name.equals(networkFile(epoch)) && !name.equals(bestFile(epoch))) {
                    Files.delete(f);
                }
            }
        }
    }

    /** The checkpoint in {@code dir}, if one was written there. */
    static Optional<Loaded> load(Path dir) throws IOException {
        Path state = dir.resolve(STATE);
        if (!Files.exists(state)) {
            return Optional.empty();
        }
        Checkpoint c = Json.MAPPER.readValue(state.toFile(), Checkpoint.class);
        MultiLayerNetwork network;
        try {
            network = ModelFiles.restore(dir.resolve(networkFile(c.epoch)), true);
        } catch (ModelLoadException e) {
            throw new IOException("checkpoint in " + dir + ": " + e.getMessage(), e);
        }
        INDArray best = Nd4j.readBinary(dir.resolve(bestFile(c.epoch)).toFile());
        return Optional.of(new Loaded(c, network, best));
    }

    /** Refuses to continue a run started with other options, naming the first difference. */
    void requireCompatible(TrainingOptions o) {
        Signature now = Signature.of(o);
        if (!now.equals(options)) {
            throw new IllegalArgumentException("the checkpoint was written by a run with " + options
                    + "; this run has " + now + ": resume with the same options, or start afresh without --resume");
        }
    }

    private static String networkFile(int epoch) {
        return String.format("epoch-%03d.zip", epoch);
    }

    private static String bestFile(int epoch) {
        return String.format("best-%03d.bin", epoch);
    }
}
