package io.fashionstream.tools.bench;

import io.fashionstream.worker.config.GroupProtocol;
import io.fashionstream.tools.demo.DemoTopics;
import io.fashionstream.kafkakit.KafkaBrokerProcess;
import io.fashionstream.tools.demo.ResultTally;
import io.fashionstream.tools.demo.SendLog;
import io.fashionstream.worker.produce.ImageSender;
import io.fashionstream.worker.produce.ImageSource;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How the worker pool rides out crashes, as an operator would see them: two worker processes
 * on a stock broker in a process of its own, a steady input rate, then worker SIGKILLs, each
 * followed at once by a restart (what a supervisor does), and a broker SIGKILL and restart. It
 * measures how long new answers stop after each, how long the partitions the dead member held
 * wait, and how long the restarted process takes to be ready; and at the end, that every input
 * was answered exactly once. One run per group protocol setting, in the same conditions.
 */
final class FailoverBench {
    /** One way of running the group: protocol and membership. */
    enum Scenario {
        CONSUMER_STATIC("consumer-static", GroupProtocol.CONSUMER, true),
        CONSUMER("consumer", GroupProtocol.CONSUMER, false),
        CLASSIC_STATIC("classic-static", GroupProtocol.CLASSIC, true),
        CLASSIC_DYNAMIC("classic-dynamic", GroupProtocol.CLASSIC, false);

        final String cliName;
        final GroupProtocol protocol;
        final boolean staticMembership;

        Scenario(String cliName, GroupProtocol protocol, boolean staticMembership) {
            this.cliName = cliName;
            this.protocol = protocol;
            this.staticMembership = staticMembership;
        }

        static Scenario parse(String text) {
            for (Scenario s : values()) {
                if (s.cliName.equals(text.trim())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not consumer-static, consumer, classic-static or classic-dynamic");
        }
    }

    /**
     * What one crash did.
     *
     * @param pauseSeconds            longest stretch without any new answer after the crash
     * @param slowestPartitionSeconds longest stretch an input partition went without an answer
     * @param allBackSeconds          from the crash until every input partition answered again
     * @param recoverySeconds         from the restart until the restarted worker's {@code /health/ready}
     *                                answers 200; for the broker, from its restart until answers flow
     *                                again; for a cluster node (kept down), from its kill until every
     *                                partition answers again
     */
    record Crash(String what, double pauseSeconds, double slowestPartitionSeconds, double allBackSeconds,
                 double recoverySeconds) {
    }

    /** One scenario's run: its crashes and whether every input was answered exactly once. */
    record Result(String scenario, List<Crash> crashes, long sent, long answered, long duplicates, long unanswered) {
    }

    /** A production-like cluster: every topic, the group offsets and the transaction log on three replicas, two in sync. */
    private static final Map<String, String> CLUSTER_SETTINGS = Map.of(
            "default.replication.factor", "3", "min.insync.replicas", "2",
            "offsets.topic.replication.factor", "3",
            "transaction.state.log.replication.factor", "3", "transaction.state.log.min.isr", "2");

    private final ImageSource images;
    /** The worker options naming the model, its engine and precision. */
    private final List<String> served;
    private final Path modelsDir;
    private final int kills;
    private final int brokers;
    private final long backlog;
    private final boolean combined;
    private final double rate;
    private final Duration observe;
    private final Path logs;
    private final PrintWriter err;

    /**
     * @param kills   worker SIGKILLs per scenario (alternating between the two workers)
     * @param brokers 1 (a broker restart) or 3 (a cluster: the input partitions' leader and the
     *                transaction coordinator killed in turn)
     * @param backlog inputs written before the workers start, answered while the faults happen
     * @param combined after the crashes, a third worker joins and then leaves (SIGTERM): the whole story in one run
     * @param rate    images sent per second throughout
     * @param observe how long after each crash answers are watched: longer than the broker's group
     *                session timeout (45 s by default) to see what waits for it
     */
    FailoverBench(ImageSource images, List<String> served, Path modelsDir, int kills, int brokers, long backlog,
                  boolean combined, double rate, Duration observe, Path logs, PrintWriter err) {
        this.brokers = brokers;
        this.backlog = backlog;
        this.combined = combined;
        this.images = images;
        this.served = served;
        this.modelsDir = modelsDir;
        this.kills = kills;
        this.rate = rate;
        this.observe = observe;
        this.logs = logs;
        this.err = err;
    }

    Result run(Scenario scenario) throws Exception {
        Files.createDirectories(logs);
        List<KafkaBrokerProcess> nodes = brokers == 1 ? List.of(KafkaBrokerProcess.start(Map.of()))
                : KafkaBrokerProcess.startCluster(brokers, CLUSTER_SETTINGS, logs, List.of());
        try {
            String bootstrap = String.join(",", nodes.stream().map(KafkaBrokerProcess::bootstrapServers).toList());
            Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            String run = "failover-" + scenario.cliName + (brokers == 1 ? "" : "-" + brokers + "-brokers");
            DemoTopics.create(client, run + ".images", run + ".labels", run + ".dlq", run + ".review");
            AnswerTimeline timeline = new AnswerTimeline();
            SendLog sentAt = new SendLog("item-");
            ResultTally tally = new ResultTally(client, run + ".labels", run + ".dlq", sentAt,
                    (id, partition, nanos) -> timeline.add(partition, nanos));
            Thread reader = new Thread(tally, "failover-reader");
            reader.start();
            List<WorkerProcess> workers = List.of(worker("a", scenario, bootstrap, run), worker("b", scenario, bootstrap, run),
                    worker("c", scenario, bootstrap, run));
            ImageSender sender = new ImageSender(client, "failover-sender", run + ".images");
            Thread sending = null;
            AtomicBoolean stop = new AtomicBoolean();
            try {
                if (backlog > 0) {
                    sender.send(images, backlog, 0, (i, item) -> "item-" + i, sentAt, stop::get);
                }
                for (WorkerProcess w : workers.subList(0, 2)) {
                    w.start();
                }
                for (WorkerProcess w : workers.subList(0, 2)) {
                    w.awaitReady();
                }
                sending = new Thread(() -> sender.send(images, Long.MAX_VALUE, rate, (i, item) -> "item-" + (backlog + i),
                        sentAt, stop::get), "failover-sender");
                sending.start();
                Thread.sleep(10_000); // steady state before the first crash
                List<Crash> crashes = new ArrayList<>();
                for (int k = 0; k < kills; k++) {
                    crashes.add(killAndRestart(workers.get(k % 2), timeline));
                }
                if (brokers == 1) {
                    crashes.add(restartBroker(nodes.get(0), timeline));
                } else {
                    crashes.add(killNode(nodes, inputLeader(client, run + ".images"), "leads most input partitions", timeline));
                    crashes.add(killNode(nodes, transactionCoordinator(client, run + "-a-0"),
                            "coordinates worker a's transactions", timeline));
                }
                if (combined) {
                    crashes.add(join(workers.get(2), timeline));
                    crashes.add(leave(workers.get(2), timeline));
                }
                stop.set(true);
                sending.join();
                tally.awaitAnswered(sentAt.size(), Duration.ofSeconds(90), () -> false);
                ResultTally.Snapshot s = tally.snapshot();
                Result result = new Result(scenario.cliName + (brokers == 1 ? "" : ", " + brokers + " brokers"), crashes, sentAt.size(), s.answered(), s.duplicates(),
                        sentAt.size() - s.answered());
                err.printf("failover %-15s sent %,d answered %,d duplicates %d unanswered %d%n", scenario.cliName,
                        result.sent(), result.answered(), result.duplicates(), result.unanswered());
                return result;
            } finally {
                stop.set(true);
                if (sending != null) {
                    sending.join(30_000);
                }
                sender.close();
                for (WorkerProcess w : workers) {
                    w.stop();
                }
                tally.stop();
                reader.join(10_000);
            }
        } finally {
            for (KafkaBrokerProcess node : nodes) {
                node.close();
            }
        }
    }

    private Crash killAndRestart(WorkerProcess victim, AnswerTimeline timeline) throws Exception {
        long killed = System.nanoTime();
        victim.kill();
        victim.start();
        double ready = victim.awaitReady();
        return watched("SIGKILL worker " + victim.name() + ", restarted", killed, timeline, ready);
    }

    /** A third worker process joins the group under load. */
    private Crash join(WorkerProcess joining, AnswerTimeline timeline) throws Exception {
        long joined = System.nanoTime();
        joining.start();
        return watched("worker " + joining.name() + " joins", joined, timeline, joining.awaitReady());
    }

    /** The third worker leaves gracefully (SIGTERM: it finishes its batch, commits and leaves the group). */
    private Crash leave(WorkerProcess leaving, AnswerTimeline timeline) throws Exception {
        long left = System.nanoTime();
        leaving.stop();
        return watched("worker " + leaving.name() + " leaves (SIGTERM)", left, timeline, (System.nanoTime() - left) / 1e9);
    }

    /**
     * Waits out the observation window that began at {@code from}, then reports what the answers did
     * in it; {@code recoverySeconds} as the event measured it, or NaN to take the time until every
     * partition answered again.
     */
    private Crash watched(String what, long from, AnswerTimeline timeline, double recoverySeconds)
            throws InterruptedException {
        long end = from + observe.toNanos();
        sleepUntil(end);
        double allBack = timeline.allPartitionsBack(from, end);
        Crash crash = new Crash(what, timeline.longestPause(from, end), timeline.slowestPartitionPause(from, end), allBack,
                Double.isNaN(recoverySeconds) ? allBack : recoverySeconds);
        report(crash);
        return crash;
    }

    /**
     * SIGKILLs one node of the cluster while answering, watches the window with it down, then
     * starts it again and waits for it to be back before the next fault.
     */
    private Crash killNode(List<KafkaBrokerProcess> nodes, int nodeId, String role, AnswerTimeline timeline)
            throws Exception {
        KafkaBrokerProcess node = nodes.stream().filter(n -> n.nodeId() == nodeId).findFirst().orElseThrow();
        long killed = System.nanoTime();
        node.kill();
        Crash crash = watched("SIGKILL node " + nodeId + " (" + role + ")", killed, timeline, Double.NaN);
        node.start();
        Thread.sleep(10_000); // its replicas catch up before the next fault
        return crash;
    }

    /** The node that leads the most partitions of {@code topic}. */
    private static int inputLeader(Map<String, Object> client, String topic) throws Exception {
        try (Admin admin = Admin.create(client)) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            Map<Integer, Long> led = d.partitions().stream().filter(p -> p.leader() != null)
                    .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
            return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        }
    }

    /** The node coordinating the transactions of {@code transactionalId}. */
    private static int transactionCoordinator(Map<String, Object> client, String transactionalId) throws Exception {
        try (Admin admin = Admin.create(client)) {
            return admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
                    .get(30, TimeUnit.SECONDS).coordinatorId();
        }
    }

    private Crash restartBroker(KafkaBrokerProcess broker, AnswerTimeline timeline) throws Exception {
        long killed = System.nanoTime();
        broker.kill();
        broker.start();
        long restarted = System.nanoTime();
        sleepUntil(killed + observe.toNanos());
        long resumed = timeline.firstAnswerAfter(restarted);
        return watched("SIGKILL broker, restarted", killed, timeline,
                resumed < 0 ? Double.NaN : (resumed - restarted) / 1e9);
    }

    private void report(Crash crash) {
        err.printf("failover %-28s new answers paused %5.1f s, slowest partition %5.1f s, every partition back after"
                        + " %5.1f s, recovered %5.1f s%n", crash.what(), crash.pauseSeconds(),
                crash.slowestPartitionSeconds(), crash.allBackSeconds(), crash.recoverySeconds());
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** One of the scenario's worker processes ({@code fashion-worker run}), serving {@link #served}. */
    private WorkerProcess worker(String name, Scenario scenario, String bootstrapServers, String run) throws IOException {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrapServers, "--input-topic", run + ".images",
                "--results-topic", run + ".labels", "--dead-letter-topic", run + ".dlq", "--review-topic", run + ".review",
                "--group-id", run, "--transactional-id-prefix", run + "-" + name, "--models-dir", modelsDir.toString(),
                "--group-protocol", scenario.protocol.cliName(), "--static-membership", Boolean.toString(scenario.staticMembership)));
        args.addAll(served);
        return new WorkerProcess(name, args, logs.resolve(run + "-" + name + ".log"));
    }
}
