package io.fashionstream.worker;

import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.model.ModelLoadException;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.worker.kafka.Preflight;
import io.fashionstream.worker.release.Deployment;
import io.fashionstream.worker.release.LiveModels;
import io.fashionstream.worker.release.LiveRelease;
import io.fashionstream.worker.release.ReleaseLoader;
import io.fashionstream.worker.release.ReleaseWatcher;
import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.config.PrefixLock;
import io.fashionstream.worker.config.Secrets;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.kafka.KafkaUnavailableException;
import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.http.MonitoringServer;
import io.fashionstream.worker.http.WorkerHealth;
import io.fashionstream.worker.metrics.ProcessMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
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

    @Option(names = "--metrics-host", defaultValue = MonitoringServer.DEFAULT_HOST,
            description = "Address the metrics and health endpoints listen on (default: ${DEFAULT-VALUE})")
    String metricsHost;

    @Option(names = "--metrics-port", defaultValue = "" + MonitoringServer.DEFAULT_PORT,
            description = "Port of /metrics, /health/live and /health/ready; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int metricsPort;

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
        // Held until the process ends: no other live process on this host takes the same prefix.
        PrefixLock prefix = PrefixLock.claim(config.transactionalIdPrefix(), options.prefixGiven(), PrefixLock.defaultDirectory());
        config = config.toBuilder().transactionalIdPrefix(prefix.prefix()).build();
        if (metricsPort < 0 || metricsPort > 65535) {
            throw new IllegalArgumentException("--metrics-port must be between 0 and 65535, not " + metricsPort);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        WorkerHealth health = new WorkerHealth();
        // Serving starts before the model loads, so probes see "live, not ready" during a slow start.
        try (ProcessMeters processMeters = new ProcessMeters();
             MonitoringServer server = startMonitoring(registry, health)) {
            processMeters.bindTo(registry);
            log.info("metrics and health on http://{}:{} ({}, {}, {})", metricsHost, server.port(),
                    MonitoringServer.METRICS_PATH, MonitoringServer.LIVE_PATH, MonitoringServer.READY_PATH);
            return serve(config, registry, health);
        }
    }

    private MonitoringServer startMonitoring(PrometheusMeterRegistry registry, WorkerHealth health) {
        try {
            return MonitoringServer.start(new InetSocketAddress(metricsHost, metricsPort), registry, health);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serve metrics on " + metricsHost + ":" + metricsPort + ": "
                    + e.getMessage() + " (choose another --metrics-port)", e);
        }
    }

    /**
     * Serves the release topic's live rollout (following new ones) or, without one, {@code --model};
     * the live releases are closed when the pool has stopped.
     */
    private int serve(WorkerConfig config, PrometheusMeterRegistry registry, WorkerHealth health) throws Exception {
        log.info("Kafka {} group {}: {} -> {} (dead letters: {}, releases: {}); client settings {}", config.bootstrapServers(),
                config.groupId(), config.inputTopic(), config.resultsTopic(), config.deadLetterTopic(),
                config.rollout().followsReleases() ? config.rollout().releaseTopic() : "none",
                Secrets.masked(config.kafkaProperties()));
        ReleaseLoader loader = ReleaseLoader.forConfig(config);
        if (!config.rollout().followsReleases()) {
            try (LiveModels models = new LiveModels(Deployment.of(loader.local(config.openModel())))) {
                return runPool(config, models, null, registry, health);
            }
        }
        if (config.engine() != EngineKind.ONNXRUNTIME) {
            log.info("releases from {} run on onnxruntime; --engine {} applies to --model only",
                    config.rollout().releaseTopic(), config.engine().cliName());
        }
        ModelFiles.resolve(config.model(), config.modelsDir()); // a missing --model is a usage error before any connection
        try {
            Preflight.check(config); // an unreachable cluster is reported as the pool would, not as a release-topic error
        } catch (KafkaUnavailableException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return WorkerCli.EXIT_FAILED;
        }
        try (ReleaseWatcher watcher = ReleaseWatcher.forConfig(config, loader)) {
            LiveModels models;
            try {
                models = watcher.begin(() -> local(loader, config), config.startupTimeout());
            } catch (IOException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return WorkerCli.EXIT_FAILED;
            }
            try {
                return runPool(config, models, watcher, registry, health);
            } finally {
                watcher.close(); // no switch after the releases are closed
                models.close();
            }
        }
    }

    private static LiveRelease local(ReleaseLoader loader, WorkerConfig config) {
        try {
            return loader.local(config.openModel());
        } catch (ModelLoadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private int runPool(WorkerConfig config, LiveModels models, ReleaseWatcher watcher, PrometheusMeterRegistry registry,
                        WorkerHealth health) throws Exception {
        LiveRelease primary = models.current().primary();
        health.modelLoaded(primary.name(), primary.version());
        models.onSwitch((old, now) -> health.modelLoaded(now.primary().name(), now.primary().version()));
        log.info("serving {} on {}; {} worker(s), max batch {}, max wait {} ms, {}", models.current().describe(),
                config.describeEngine(), config.workers(), config.maxBatch(), config.maxWait().toMillis(),
                config.guarantee().cliName());
        WorkerPool started;
        try {
            started = WorkerPool.start(config, models, registry);
        } catch (KafkaUnavailableException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return WorkerCli.EXIT_FAILED;
        }
        try (WorkerPool pool = started) {
            if (watcher != null) {
                watcher.follow(pool.releaseMetrics());
            }
            health.poolStarted(pool);
            Shutdown.onSignal(() -> {
                health.stopping();
                pool.stop();
            });
            while (pool.isRunning()) {
                pool.awaitTermination(Duration.ofSeconds(1));
            }
            health.stopping();
            if (pool.failure().isPresent()) {
                spec.commandLine().getErr().println("error: " + pool.failure().get().getMessage());
                return WorkerCli.EXIT_FAILED;
            }
        }
        log.info("all workers stopped cleanly");
        return 0;
    }
}
