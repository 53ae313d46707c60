package io.fashionstream.worker;

import io.fashionstream.core.inference.ServingModel;
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

    private int serve(WorkerConfig config, PrometheusMeterRegistry registry, WorkerHealth health) throws Exception {
        try (ServingModel model = config.openModel()) {
            return runPool(config, model, registry, health);
        }
    }

    private int runPool(WorkerConfig config, ServingModel model, PrometheusMeterRegistry registry, WorkerHealth health)
            throws Exception {
        health.modelLoaded(model.name(), model.version());
        log.info("model {} version {} on {}; {} worker(s), max batch {}, max wait {} ms, {}", model.name(), model.version(),
                config.describeEngine(), config.workers(), config.maxBatch(), config.maxWait().toMillis(),
                config.guarantee().cliName());
        log.info("Kafka {} group {}: {} -> {} (dead letters: {}); client settings {}", config.bootstrapServers(),
                config.groupId(), config.inputTopic(), config.resultsTopic(), config.deadLetterTopic(),
                Secrets.masked(config.kafkaProperties()));
        WorkerPool started;
        try {
            started = WorkerPool.start(config, model, registry);
        } catch (KafkaUnavailableException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return WorkerCli.EXIT_FAILED;
        }
        try (WorkerPool pool = started) {
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
