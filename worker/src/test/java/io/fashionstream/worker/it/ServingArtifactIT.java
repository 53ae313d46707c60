package io.fashionstream.worker.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged serving artifact (what the image copies) carries what {@code run} needs and no tooling. */
class ServingArtifactIT {
    @Test
    void theWorkersClassPathHoldsNeitherChartingLibrariesNorABroker() throws IOException {
        List<String> jars;
        try (JarFile jar = new JarFile(WorkerProcess.JAR.toFile())) {
            // The jar's own class path: what `java -jar fashion-worker.jar` loads (target/lib may hold older leftovers).
            jars = Stream.of(jar.getManifest().getMainAttributes().getValue("Class-Path").split(" "))
                    .map(entry -> entry.substring(entry.lastIndexOf('/') + 1)).sorted().toList();
        }
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("kafka-clients-")), "the Kafka client is there: " + jars);
        for (String tooling : List.of("xchart-", "pdfbox-", "kafka_2.13-", "kafka-server-", "kafka-test-common-",
                "fashion-kafka-kit-", "fashion-tools-")) {
            assertFalse(jars.stream().anyMatch(j -> j.startsWith(tooling)), tooling + "* ships with run: " + jars);
        }
    }
}
