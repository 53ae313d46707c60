package io.fashionstream.worker.it;

import io.fashionstream.core.inference.EngineKind;
import io.fashionstream.core.inference.ServingModel;
import io.fashionstream.worker.config.GroupProtocol;
import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.kafkakit.EmbeddedKafka;
import io.fashionstream.worker.it.KafkaTestClient.Topics;
import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.testing.TestInputs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.fashionstream.worker.it.KafkaTestClient.assertEachExactlyOnce;
import static io.fashionstream.worker.it.KafkaTestClient.labelledRaw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which consumer group protocol the workers use, checked by asking the broker what kind of group
 * they formed: Kafka 4's consumer protocol where the broker offers it, the classic one (with
 * static members) where it does not, or whichever {@code --group-protocol} chooses.
 */
class GroupProtocolIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static ServingModel model;

    @BeforeAll
    static void load() throws Exception {
        model = TestInputs.servingSimple(EngineKind.ONNXRUNTIME);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void onAKafka4BrokerWorkersJoinWithTheConsumerProtocol() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            ConsumerGroupDescription group = runTwoWorkers(broker, GroupProtocol.AUTO, GroupProtocol.CONSUMER);
            assertEquals(GroupType.CONSUMER, group.type());
            assertEquals(Set.of(Optional.of("protocol-test-0"), Optional.of("protocol-test-1")), instanceIds(group),
                    "static members: a restarted process takes its predecessor's place");
        }
    }

    @Test
    void onABrokerWithoutTheConsumerProtocolTheyFallBackToClassicWithStaticMembers() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(Map.of(), Map.of("group.version", (short) 0))) {
            ConsumerGroupDescription group = runTwoWorkers(broker, GroupProtocol.AUTO, GroupProtocol.CLASSIC);
            assertEquals(GroupType.CLASSIC, group.type());
            assertEquals(Set.of(Optional.of("protocol-test-0"), Optional.of("protocol-test-1")), instanceIds(group));
        }
    }

    @Test
    void theClassicProtocolCanBeChosenOnABrokerThatOffersBoth() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            ConsumerGroupDescription group = runTwoWorkers(broker, GroupProtocol.CLASSIC, GroupProtocol.CLASSIC);
            assertEquals(GroupType.CLASSIC, group.type());
        }
    }

    /**
     * A process that crashed leaves its static member in the group, holding its partitions until
     * its session times out, and the consumer protocol refuses its id to anyone else meanwhile. Its
     * successor (same prefix) removes it first and takes its place at once.
     */
    @Test
    void underTheConsumerProtocolASuccessorRemovesItsCrashedPredecessorAndTakesItsPlace() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());
            Topics t = kafka.createTopics();
            String deadMember = crashedStaticMember(broker, t, "succession-0");
            kafka.send(labelledRaw(t.input(), 0, 100));
            WorkerConfig config = WorkerConfig.builder()
                    .bootstrapServers(broker.bootstrapServers())
                    .inputTopic(t.input()).resultsTopic(t.results()).deadLetterTopic(t.deadLetters()).reviewTopic(t.review()).groupId(t.group())
                    .transactionalIdPrefix("succession").groupProtocol(GroupProtocol.CONSUMER)
                    .model("simple").modelsDir(TestInputs.MODELS_DIR).workers(1).maxBatch(16)
                    .build();
            try (WorkerPool pool = WorkerPool.start(config, model, new SimpleMeterRegistry());
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                assertEachExactlyOnce(kafka.readCommitted(List.of(t.results()), r -> r.size() >= 100, TIMEOUT), 0, 100);
                assertTrue(pool.failure().isEmpty(), "joined with the predecessor's id: " + pool.failure());
                MemberDescription member = admin.describeConsumerGroups(List.of(t.group())).all().get(30, TimeUnit.SECONDS)
                        .get(t.group()).members().iterator().next();
                assertEquals(Optional.of("succession-0"), member.groupInstanceId());
                assertNotEquals(deadMember, member.consumerId(), "a new incarnation, not the crashed one");
            }
        }
    }

    /** A static member in a process of its own that joined, got partitions and was SIGKILLed; returns its member id. */
    private static String crashedStaticMember(EmbeddedKafka broker, Topics t, String instanceId) throws Exception {
        Process member = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StaticMemberProcess.class.getName(),
                broker.bootstrapServers(), t.group(), t.input(), instanceId).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(member.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("joined ")) {
                    return line.substring("joined ".length());
                }
            }
            throw new AssertionError("the predecessor never got partitions");
        } finally {
            member.destroyForcibly(); // SIGKILL: it never leaves the group
            member.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Two workers answer 200 inputs; returns their group as the broker describes it while they run. */
    private static ConsumerGroupDescription runTwoWorkers(EmbeddedKafka broker, GroupProtocol chosen,
                                                         GroupProtocol expected) throws Exception {
        KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());
        Topics t = kafka.createTopics();
        WorkerConfig config = WorkerConfig.builder()
                .bootstrapServers(broker.bootstrapServers())
                .inputTopic(t.input()).resultsTopic(t.results()).deadLetterTopic(t.deadLetters()).reviewTopic(t.review()).groupId(t.group())
                .transactionalIdPrefix("protocol-test")
                .groupProtocol(chosen)
                .model("simple").modelsDir(TestInputs.MODELS_DIR)
                .workers(2).maxBatch(16)
                .build();
        kafka.send(labelledRaw(t.input(), 0, 200));
        try (WorkerPool pool = WorkerPool.start(config, model, new SimpleMeterRegistry());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            assertEquals(expected, pool.protocol());
            assertEachExactlyOnce(kafka.readCommitted(List.of(t.results()), r -> r.size() >= 200, TIMEOUT), 0, 200);
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(t.group())).all()
                    .get(30, TimeUnit.SECONDS).get(t.group());
            assertEquals(2, group.members().size(), "both workers are members");
            return group;
        }
    }

    private static Set<Optional<String>> instanceIds(ConsumerGroupDescription group) {
        return group.members().stream().map(MemberDescription::groupInstanceId).collect(Collectors.toSet());
    }
}
