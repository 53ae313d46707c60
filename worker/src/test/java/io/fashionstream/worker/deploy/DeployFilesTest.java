package io.fashionstream.worker.deploy;

import io.fashionstream.core.model.NativeBackend;
import io.fashionstream.worker.WorkerCli;
import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.testing.Tools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps docker-compose.yml, deploy/Dockerfile, deploy/k8s and deploy/prometheus honest: every
 * variable and setting they give the worker is one it reads, the pieces point at each other
 * (scrape targets, ports, group, topic, partition cap), and the tools that own the formats
 * accept them ({@code docker-compose config}, {@code promtool}); a missing tool skips its check.
 */
class DeployFilesTest {
    static final Path ROOT = Path.of("..");
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final String WORKER_IMAGE = "fashion-stream/worker";
    /** Read by the JVM in the worker's process, not by the worker's options. */
    /** Read by the JVM, or by a native library in it (OpenCV's own pixel limit). */
    static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "OPENCV_IO_MAX_IMAGE_PIXELS");

    @Test
    void composeGivesWorkerContainersOnlyVariablesTheirCommandReads() throws IOException {
        Map<String, Object> services = map(yaml(ROOT.resolve("docker-compose.yml")).get("services"));
        int checked = 0;
        for (Map.Entry<String, Object> service : services.entrySet()) {
            Map<String, Object> s = map(service.getValue());
            if (!String.valueOf(s.get("image")).startsWith(WORKER_IMAGE)) {
                continue;
            }
            String command = s.containsKey("command") ? String.valueOf(list(s.get("command")).get(0)) : "run";
            Set<String> unknown = unknownVariables(map(s.get("environment")).keySet(), command);
            assertTrue(unknown.isEmpty(), service.getKey() + " sets variables '" + command + "' does not read: " + unknown);
            checked++;
        }
        assertEquals(3, checked, "two workers and the producer");
    }

    @Test
    void kubernetesGivesTheWorkerOnlyVariablesAndSettingsItReads() throws IOException {
        Map<String, Object> container = map(list(map(map(map(yaml(DEPLOY.resolve("k8s/statefulset.yaml"))
                .get("spec")).get("template")).get("spec")).get("containers")).get(0));
        assertEquals(List.of("run"), container.get("args"));
        Set<String> env = new TreeSet<>();
        list(container.get("env")).forEach(e -> env.add(String.valueOf(map(e).get("name"))));
        assertTrue(unknownVariables(env, "run").isEmpty(), "statefulset.yaml: " + unknownVariables(env, "run"));

        Properties settings = configMapProperties();
        Set<String> options = new TreeSet<>();
        spec("run").options().forEach(o -> options.add(o.longestName().replaceFirst("^-+", "")));
        for (String key : settings.stringPropertyNames()) {
            assertTrue(key.startsWith(ConfigSources.KAFKA_FILE_PREFIX) || options.contains(key),
                    "configmap.yaml: worker.properties sets '" + key + "', which is no option of run");
        }
        // The file is mounted where FASHION_CONFIG says.
        String configPath = list(container.get("env")).stream().map(DeployFilesTest::map)
                .filter(e -> ConfigSources.CONFIG_ENV.equals(e.get("name"))).map(e -> String.valueOf(e.get("value")))
                .findFirst().orElseThrow();
        assertEquals("/etc/fashion/worker.properties", configPath);
    }

    /**
     * Stable worker identities: the pods keep their names when replaced, so the default
     * transactional-id prefix (the pod name) lets a successor fence its predecessor, and KEDA scales
     * that StatefulSet.
     */
    @Test
    void workersAreAStatefulSetThatKedaScales() throws IOException {
        Map<String, Object> workers = yaml(DEPLOY.resolve("k8s/statefulset.yaml"));
        assertEquals("StatefulSet", workers.get("kind"));
        Map<String, Object> spec = map(workers.get("spec"));
        assertEquals("Parallel", spec.get("podManagementPolicy"));
        Map<String, Object> governing = yaml(DEPLOY.resolve("k8s/pods-service.yaml"));
        assertEquals(spec.get("serviceName"), map(governing.get("metadata")).get("name"));
        assertEquals("None", map(governing.get("spec")).get("clusterIP"), "headless");
        Map<String, Object> target = map(map(yaml(DEPLOY.resolve("k8s/scaledobject.yaml")).get("spec")).get("scaleTargetRef"));
        assertEquals("StatefulSet", target.get("kind"));
        assertEquals(map(workers.get("metadata")).get("name"), target.get("name"));
        List<Object> resources = list(yaml(DEPLOY.resolve("k8s/kustomization.yaml")).get("resources"));
        assertTrue(resources.containsAll(List.of("statefulset.yaml", "pods-service.yaml")), resources.toString());
    }

    /** The hardening the security review asked for stays in the files. */
    @Test
    void deploymentsAreHardened() throws IOException {
        Map<String, Object> pod = map(map(map(yaml(DEPLOY.resolve("k8s/statefulset.yaml")).get("spec")).get("template"))
                .get("spec"));
        assertEquals(false, pod.get("automountServiceAccountToken"), "no service-account token");
        assertEquals("RuntimeDefault", map(map(pod.get("securityContext")).get("seccompProfile")).get("type"));
        Map<String, Object> container = map(list(pod.get("containers")).get(0));
        assertEquals("fashion-worker-kafka", map(map(list(container.get("envFrom")).get(0)).get("secretRef")).get("name"));
        assertTrue(list(yaml(DEPLOY.resolve("k8s/kustomization.yaml")).get("resources")).contains("networkpolicy.yaml"));
        Map<String, Object> policy = yaml(DEPLOY.resolve("k8s/networkpolicy.yaml"));
        assertEquals(List.of("Ingress", "Egress"), map(policy.get("spec")).get("policyTypes"));
        Map<String, Object> secret = yaml(DEPLOY.resolve("k8s/kafka-secret.example.yaml"));
        Set<String> secretVariables = new TreeSet<>(map(secret.get("stringData")).keySet());
        assertTrue(secretVariables.stream().allMatch(v -> v.startsWith(ConfigSources.KAFKA_ENV_PREFIX)), secretVariables.toString());

        Map<String, Object> services = map(yaml(ROOT.resolve("docker-compose.yml")).get("services"));
        for (String name : List.of("kafka", "prometheus", "grafana")) {
            for (Object port : list(map(services.get(name)).get("ports"))) {
                assertTrue(String.valueOf(port).startsWith("127.0.0.1:"), name + " publishes " + port + " beyond loopback");
            }
        }
        assertTrue(list(map(services.get("prometheus")).get("command")).stream()
                .noneMatch(a -> String.valueOf(a).contains("enable-lifecycle")), "no lifecycle API");
        assertEquals("false", String.valueOf(map(map(services.get("grafana")).get("environment")).get("GF_AUTH_ANONYMOUS_ENABLED")));
    }

    @Test
    void theDockerfileSetsOnlyVariablesTheWorkerOrTheJvmReads() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        Set<String> env = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^ENV\\s+((?:.*\\\\\\n)*.*)$").matcher(dockerfile);
        while (m.find()) {
            Matcher names = Pattern.compile("([A-Z_][A-Z0-9_]*)=").matcher(m.group(1).replaceAll("\"[^\"]*\"", "\"\""));
            while (names.find()) {
                env.add(names.group(1));
            }
        }
        assertTrue(env.contains("FASHION_MODELS_DIR"), env.toString());
        assertTrue(unknownVariables(env, "run").isEmpty(), "Dockerfile: " + unknownVariables(env, "run"));
    }

    @Test
    void prometheusScrapesEveryComposeWorkerOnItsMetricsPort() throws IOException {
        Map<String, Object> services = map(yaml(ROOT.resolve("docker-compose.yml")).get("services"));
        Set<String> workers = new TreeSet<>();
        services.forEach((name, s) -> {
            Map<String, Object> service = map(s);
            if (String.valueOf(service.get("image")).startsWith(WORKER_IMAGE) && !service.containsKey("command")) {
                workers.add(service.get("hostname") + ":" + map(service.get("environment")).get("FASHION_METRICS_PORT"));
            }
        });
        Map<String, Object> job = list(yaml(DEPLOY.resolve("prometheus/prometheus.yml")).get("scrape_configs")).stream()
                .map(DeployFilesTest::map).filter(j -> "fashion-worker".equals(j.get("job_name"))).findFirst().orElseThrow();
        Set<String> targets = new TreeSet<>();
        list(job.get("static_configs")).forEach(c -> list(map(c).get("targets")).forEach(t -> targets.add(String.valueOf(t))));
        assertEquals(workers, targets);
    }

    @Test
    void kedaWatchesTheWorkersGroupAndTopicAndStopsAtThePartitionCount() throws IOException {
        Properties settings = configMapProperties();
        Map<String, Object> spec = map(yaml(DEPLOY.resolve("k8s/scaledobject.yaml")).get("spec"));
        Map<String, Object> trigger = map(map(list(spec.get("triggers")).get(0)).get("metadata"));
        assertEquals(settings.getProperty("group-id"), trigger.get("consumerGroup"));
        assertEquals(settings.getProperty("input-topic"), trigger.get("topic"));
        assertEquals(settings.getProperty("bootstrap-servers"), trigger.get("bootstrapServers"));
        assertEquals("false", trigger.get("allowIdleConsumers"));
        assertEquals("1", settings.getProperty("workers"), "one consumer per pod, so replicas = consumers");
        // The cap is the input partition count that docker-compose creates (and the README documents).
        String topics = String.valueOf(list(map(map(yaml(ROOT.resolve("docker-compose.yml")).get("services"))
                .get("topics")).get("command")).get(0));
        assertTrue(topics.contains(settings.getProperty("input-topic") + ":" + spec.get("maxReplicaCount")), topics);
    }

    @Test
    void dockerComposeAcceptsTheFile() throws Exception {
        Assumptions.assumeTrue(Tools.onPath("docker-compose"), "docker-compose is not installed (apt-get install docker-compose)");
        assertToolAccepts(ROOT, "docker-compose", "-f", "docker-compose.yml", "config", "--quiet");
    }

    @Test
    void promtoolAcceptsTheConfigTheRulesAndTheRuleTests() throws Exception {
        Assumptions.assumeTrue(Tools.onPath("promtool"), "promtool is not installed (apt-get install prometheus)");
        Path prometheus = DEPLOY.resolve("prometheus");
        assertToolAccepts(prometheus, "promtool", "check", "config", "prometheus.yml");
        assertToolAccepts(prometheus, "promtool", "check", "rules", "rules/fashion-worker.yml");
        assertToolAccepts(prometheus, "promtool", "test", "rules", "tests/fashion-worker.test.yml");
    }

    private static Set<String> unknownVariables(Set<String> variables, String command) {
        Set<String> known = ConfigSources.envNames(spec(command));
        Set<String> unknown = new TreeSet<>();
        for (String v : variables) {
            boolean kafka = v.startsWith(ConfigSources.KAFKA_ENV_PREFIX);
            if (!known.contains(v) && !kafka && !JVM_VARIABLES.contains(v) && !v.equals(NativeBackend.ENV_BUILD)) {
                unknown.add(v);
            }
        }
        return unknown;
    }

    private static CommandSpec spec(String command) {
        CommandSpec spec = WorkerCli.commandLine(Map.of(), ConfigSources.load(Map.of())).getSubcommands()
                .get(command).getCommandSpec();
        assertFalse(spec.options().isEmpty());
        return spec;
    }

    private static Properties configMapProperties() throws IOException {
        Map<String, Object> data = map(yaml(DEPLOY.resolve("k8s/configmap.yaml")).get("data"));
        Properties p = new Properties();
        p.load(new StringReader(String.valueOf(data.get("worker.properties"))));
        return p;
    }

    private static void assertToolAccepts(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + output);
    }

    static Map<String, Object> yaml(Path file) throws IOException {
        return map(new Yaml().load(Files.readString(file)));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? new ArrayList<>() : (List<Object>) o;
    }
}
