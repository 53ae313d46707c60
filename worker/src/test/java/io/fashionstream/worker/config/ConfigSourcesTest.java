package io.fashionstream.worker.config;

import io.fashionstream.worker.WorkerCliConfigProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigSourcesTest {
    @TempDir
    Path dir;

    @Test
    void aFlagBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws Exception {
        Path file = dir.resolve("worker.properties");
        Files.writeString(file, "max-batch=16\nmax-wait-ms=40\nworkers=3\nkafka.security.protocol=SSL\nkafka.linger.ms=7\n");
        Map<String, String> env = Map.of("FASHION_MAX_WAIT_MS", "25", "FASHION_WORKERS", "2",
                "FASHION_KAFKA_LINGER_MS", "9", "FASHION_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        WorkerConfig c = WorkerCliConfigProbe.runConfig(env, "--config", file.toString(), "--workers", "4",
                "--kafka-property", "sasl.mechanism=PLAIN");
        assertEquals(16, c.maxBatch(), "from the file");
        assertEquals(25, c.maxWait().toMillis(), "the environment over the file");
        assertEquals(4, c.workers(), "the flag over both");
        assertEquals(WorkerConfig.DEFAULT_GROUP_ID, c.groupId(), "the default");
        assertEquals(Map.of("security.protocol", "SSL", "linger.ms", "9", "sasl.mechanism", "PLAIN"), c.kafkaProperties());
    }

    @Test
    void theConfigFileCanBeNamedByTheEnvironment() throws Exception {
        Path file = dir.resolve("w.properties");
        Files.writeString(file, "guarantee=at-least-once\n");
        WorkerConfig c = WorkerCliConfigProbe.runConfig(Map.of(ConfigSources.CONFIG_ENV, file.toString()));
        assertEquals(Guarantee.AT_LEAST_ONCE, c.guarantee());
    }

    @Test
    void environmentNamesFollowTheOptionNames() {
        assertEquals("FASHION_MAX_WAIT_MS", ConfigSources.envName("--max-wait-ms"));
        assertEquals("FASHION_BOOTSTRAP_SERVERS", ConfigSources.envName("--bootstrap-servers"));
    }

    @Test
    void aMisspeltSettingInTheFileIsAnError() throws Exception {
        Path file = dir.resolve("typo.properties");
        Files.writeString(file, "max-bach=16\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkerCliConfigProbe.runConfig(Map.of(), "--config", file.toString()));
        assertTrue(e.getMessage().contains("max-bach"), e.getMessage());
    }

    @Test
    void secretsAreMaskedForLogging() {
        Map<String, String> masked = Secrets.masked(Map.of(
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
                "ssl.truststore.password", "changeit",
                "ssl.key.password", "k",
                "security.protocol", "SASL_SSL"));
        assertEquals(Secrets.MASK, masked.get("sasl.jaas.config"));
        assertEquals(Secrets.MASK, masked.get("ssl.truststore.password"));
        assertEquals(Secrets.MASK, masked.get("ssl.key.password"));
        assertEquals("SASL_SSL", masked.get("security.protocol"));
        assertFalse(masked.toString().contains("changeit"));
    }
}
