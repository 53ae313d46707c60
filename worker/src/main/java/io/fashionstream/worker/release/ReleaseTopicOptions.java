package io.fashionstream.worker.release;

import io.fashionstream.worker.config.ClusterOptions;
import io.fashionstream.worker.config.ConfigSources;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;

/** The cluster and release topic a {@code release} command works on. */
public final class ReleaseTopicOptions {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--release-topic", defaultValue = ReleaseTopic.DEFAULT_NAME,
            description = "The compacted topic of model releases and rollouts (default: ${DEFAULT-VALUE})")
    String releaseTopic;

    @Option(names = "--timeout-ms", defaultValue = "30000",
            description = "How long to wait for the cluster (default: ${DEFAULT-VALUE})")
    long timeoutMs;

    ReleaseAdmin open(ConfigSources sources) {
        if (releaseTopic.isBlank()) {
            throw new IllegalArgumentException("--release-topic must not be empty");
        }
        if (timeoutMs < 1) {
            throw new IllegalArgumentException("--timeout-ms must be positive, not " + timeoutMs);
        }
        return new ReleaseAdmin(cluster.clientProps(sources), releaseTopic, Duration.ofMillis(timeoutMs));
    }
}
