package io.fashionstream.worker;

import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelFiles.LoadedModel;
import io.fashionstream.core.model.ModelLoadException;
import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.config.Secrets;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.kafka.KafkaUnavailableException;
import io.fashionstream.worker.kafka.Preflight;
import io.fashionstream.worker.kafka.WorkerPool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code fashion-worker run}: the worker pool, until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Consume catalog images from Kafka, classify them in micro-batches, publish labels.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", defaultValue = WorkerConfig.DEFAULT_BOOTSTRAP_SERVERS,
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
    String bootstrapServers;

    @Mixin
    WorkerOptions options;

    private final Map<String, String> env;
    private final ConfigSources sources;

    RunCommand(Map<String, String> env, ConfigSources sources) {
        this.env = env;
        this.sources = sources;
    }

    @Override
    public Integer call() throws Exception {
        sources.checkFileKeys(spec);
        WorkerConfig config = options.toConfig(bootstrapServers, sources, env);
        LoadedModel model = loadModel(config);
        log.info("model {} version {}; {} worker(s), max batch {}, max wait {} ms, {}", model.name(), model.version(),
                config.workers(), config.maxBatch(), config.maxWait().toMillis(), config.guarantee().cliName());
        log.info("Kafka {} group {}: {} -> {} (dead letters: {}); client settings {}", config.bootstrapServers(),
                config.groupId(), config.inputTopic(), config.resultsTopic(), config.deadLetterTopic(),
                Secrets.masked(config.kafkaProperties()));
        try {
            Preflight.check(config);
        } catch (KafkaUnavailableException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return WorkerCli.EXIT_FAILED;
        }
        try (WorkerPool pool = WorkerPool.start(config, model, new SimpleMeterRegistry())) {
            Shutdown.onSignal(pool::stop);
            while (pool.isRunning()) {
                pool.awaitTermination(java.time.Duration.ofSeconds(1));
            }
            if (pool.failure().isPresent()) {
                spec.commandLine().getErr().println("error: " + pool.failure().get().getMessage());
                return WorkerCli.EXIT_FAILED;
            }
        }
        log.info("all workers stopped cleanly");
        return 0;
    }

    static LoadedModel loadModel(WorkerConfig config) throws ModelLoadException {
        return ModelFiles.load(ModelFiles.resolve(config.model(), config.modelsDir()));
    }
}
