package io.fashionstream.worker.release;

import io.fashionstream.worker.config.WorkerConfig;
import io.fashionstream.worker.kafka.KafkaClients;
import io.fashionstream.worker.metrics.ReleaseMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Keeps a worker process serving what the release topic says, without a restart. At start it
 * reads the topic to its end and serves the latest rollout whose releases pass the gate (walking
 * back through the history if the latest does not), or the {@code --model} it was given when the
 * topic has none. Then, on its own thread, it applies each new rollout: releases not yet live are
 * read, gated and opened while the current deployment keeps serving, and the new deployment takes
 * over between batches. A rollout naming a release the gate refuses is not applied (the refusal is
 * logged and counted once per release). While a canary serves, its comparison with the primary is
 * checked every second against the {@link CanaryGuard}; a breach takes the canary out at once and
 * publishes an {@code auto-rollback} rollout, so every worker follows.
 */
public final class ReleaseWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReleaseWatcher.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(15);

    private final ReleaseLog topic;
    private final ReleaseLoader loader;
    private final Supplier<ReleasePublisher> publishers;
    private final CanaryGuard guard;
    private final String worker;
    private final Map<String, String> refused = new HashMap<>();
    private LiveModels models;
    private ReleaseMetrics metrics;
    private ReleasePublisher publisher;
    private Thread thread;
    private volatile boolean stopping;

    /**
     * @param publishers opens a publisher for automatic rollbacks, the first time one is needed
     * @param worker     who this worker is, in the rollouts it publishes
     */
    public ReleaseWatcher(ReleaseLog topic, ReleaseLoader loader, Supplier<ReleasePublisher> publishers,
                          CanaryGuard guard, String worker) {
        this.topic = topic;
        this.loader = loader;
        this.publishers = publishers;
        this.guard = guard;
        this.worker = worker;
    }

    /** A watcher of {@code config}'s release topic, on its cluster, publishing automatic rollbacks as its worker. */
    public static ReleaseWatcher forConfig(WorkerConfig config, ReleaseLoader loader) {
        Map<String, Object> clientProps = KafkaClients.common(config);
        String releaseTopic = config.rollout().releaseTopic();
        return new ReleaseWatcher(new ReleaseLog(clientProps, releaseTopic), loader,
                () -> new ReleasePublisher(clientProps, releaseTopic, READ_TIMEOUT), config.rollout().canaryGuard(),
                config.transactionalIdPrefix());
    }

    /**
     * Reads the release topic to its end and returns what to serve: the latest rollout that passes
     * the gate, else {@code fallback} (the {@code --model} release, opened only then).
     *
     * @throws IOException when the topic cannot be read to its end within {@code timeout}: serving
     *                     another model than the live one would be worse than not starting
     */
    public LiveModels begin(Supplier<LiveRelease> fallback, Duration timeout) throws IOException {
        try {
            if (!topic.exists(timeout)) {
                log.info("release topic {} does not exist (yet): serving the --model release; rollouts are followed once"
                        + " it does (fashion-worker topics creates it)", topic.topic());
            }
            if (!topic.catchUp(timeout)) {
                throw new IOException("release topic " + topic.topic() + " not read to its end within " + timeout.toMillis()
                        + " ms");
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IOException("cannot read release topic " + topic.topic() + ": " + e.getMessage(), e);
        }
        List<Rollout> history = topic.history();
        for (int i = history.size() - 1; i >= 0 && models == null; i--) {
            Rollout rollout = history.get(i);
            Optional<Deployment> deployment = build(rollout, null);
            if (deployment.isPresent()) {
                models = new LiveModels(deployment.get());
                log.info("serving rollout {} ({}) from release topic {}{}", rollout.id(), deployment.get().describe(),
                        topic.topic(), i == history.size() - 1 ? "" : ", the latest one the gate lets through");
            }
        }
        if (models == null) {
            LiveRelease local = fallback.get();
            models = new LiveModels(Deployment.of(local));
            log.info("serving {} (--model){}", local.id(), history.isEmpty() ? ": the release topic holds no rollout"
                    : ": no rollout on the release topic passes the gate");
        }
        return models;
    }

    /** Follows the topic on a thread of its own from now on; {@code releaseMetrics} counts what it does. */
    public void follow(ReleaseMetrics releaseMetrics) {
        this.metrics = releaseMetrics;
        refused.values().forEach(metrics::refused); // refusals met while starting
        thread = new Thread(this::run, "fashion-releases");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        boolean unreachable = false;
        while (!stopping) {
            try {
                List<Rollout> read = topic.poll(POLL);
                if (unreachable) {
                    unreachable = false;
                    log.info("release topic {} answers again; following it", topic.topic());
                }
                if (!read.isEmpty()) {
                    apply(read.get(read.size() - 1)); // only the latest state matters
                }
                guardCanary();
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                if (!(e instanceof org.apache.kafka.common.KafkaException)) {
                    log.error("following release topic {} failed; retrying in {} s", topic.topic(), POLL.toSeconds(), e);
                } else if (!unreachable) {
                    // A broker outage is waited out, as the worker threads do: said once, not every second.
                    unreachable = true;
                    log.warn("cannot read release topic {} ({}); the live releases keep serving, retrying every {} s",
                            topic.topic(), e.toString(), POLL.toSeconds());
                }
                sleep(POLL);
            }
        }
    }

    /** Serves {@code rollout} from the next batch on, unless one of its releases is refused. */
    void apply(Rollout rollout) {
        Deployment current = models.current();
        if (rollout.id().equals(current.rolloutId())) {
            return; // this worker applied it already (its own automatic rollback)
        }
        Optional<Deployment> next = build(rollout, current);
        if (next.isEmpty()) {
            log.error("rollout {} ({}) not applied: still serving {}", rollout.id(), rollout.describe(), current.describe());
            return;
        }
        models.deploy(next.get());
        metrics.rolloutApplied(rollout.action());
        log.info("rollout {} ({}{}): now serving {}", rollout.id(), rollout.action(),
                rollout.reason() == null ? "" : ": " + rollout.reason(), next.get().describe());
    }

    /**
     * The deployment {@code rollout} asks for, reusing the releases {@code current} already serves
     * (null: none); empty when a release it names is refused (those opened for it are closed again).
     */
    private Optional<Deployment> build(Rollout rollout, Deployment current) {
        List<LiveRelease> opened = new ArrayList<>();
        Optional<LiveRelease> primary = live(rollout.primary(), current, opened);
        Optional<LiveRelease> canary = rollout.canary() == null ? Optional.empty() : live(rollout.canary(), current, opened);
        Optional<LiveRelease> shadow = rollout.shadow() == null ? Optional.empty() : live(rollout.shadow(), current, opened);
        boolean complete = primary.isPresent() && (rollout.canary() == null || canary.isPresent())
                && (rollout.shadow() == null || shadow.isPresent());
        if (!complete) {
            opened.forEach(LiveRelease::retire);
            return Optional.empty();
        }
        try {
            return Optional.of(new Deployment(primary.get(), canary.orElse(null),
                    canary.isPresent() ? rollout.canaryShare() : 0, shadow.orElse(null), rollout.id()));
        } catch (IllegalArgumentException | NullPointerException e) {
            log.error("rollout {} is not a valid state: {}", rollout.id(), e.getMessage());
            opened.forEach(LiveRelease::retire);
            return Optional.empty();
        }
    }

    /** The live release {@code id}: the one {@code current} serves, else read, gated and opened (added to {@code opened}). */
    private Optional<LiveRelease> live(String id, Deployment current, List<LiveRelease> opened) {
        if (current != null) {
            for (LiveRelease r : current.releases()) {
                if (r.id().equals(id)) {
                    return Optional.of(r);
                }
            }
        }
        for (LiveRelease r : opened) {
            if (r.id().equals(id)) {
                return Optional.of(r);
            }
        }
        if (refused.containsKey(id)) {
            return Optional.empty(); // logged and counted when it was refused
        }
        ModelRelease release;
        try {
            release = topic.release(id, READ_TIMEOUT);
        } catch (IOException e) {
            refuse(id, "missing", e.getMessage());
            return Optional.empty();
        }
        long start = System.nanoTime();
        ReleaseLoader.Loaded loaded = loader.load(release);
        if (loaded instanceof ReleaseLoader.Refused no) {
            refuse(id, no.check(), no.reason());
            return Optional.empty();
        }
        ReleaseLoader.Ready ready = (ReleaseLoader.Ready) loaded;
        log.info("release {} passed the gate in {} ms: golden-set accuracy {} (its card: {}); answers under {} confidence"
                        + " go to review", id, (System.nanoTime() - start) / 1_000_000,
                String.format(java.util.Locale.ROOT, "%.4f", ready.goldenAccuracy()),
                String.format(java.util.Locale.ROOT, "%.4f", ready.release().cardAccuracy()),
                ready.release().review().threshold());
        opened.add(ready.release());
        return Optional.of(ready.release());
    }

    private void refuse(String id, String check, String reason) {
        refused.put(id, check);
        log.error("release {} refused ({}): {}", id, check, reason);
        if (metrics != null) {
            metrics.refused(check);
        }
    }

    /** Takes a canary out, here at once and everywhere through the topic, when it breaches its bounds. */
    private void guardCanary() {
        Deployment current = models.current();
        if (current.canary() == null) {
            return;
        }
        Optional<String> breach = guard.breach(metrics.comparison(current.canary()));
        if (breach.isEmpty()) {
            return;
        }
        String reason = "canary " + current.canary().id() + " rolled back by " + worker + ": " + breach.get();
        Rollout latest = topic.latest().orElse(null);
        Rollout rollback = latest != null && current.canary().id().equals(latest.canary())
                ? latest.withoutCanary(Rollout.AUTO_ROLLBACK, reason, worker)
                : Rollout.of(Rollout.AUTO_ROLLBACK, current.primary().id(), null, null,
                current.shadow() == null ? null : current.shadow().id(), reason, worker);
        models.deploy(new Deployment(current.primary(), null, 0, current.shadow(), rollback.id()));
        metrics.rolloutApplied(Rollout.AUTO_ROLLBACK);
        log.warn("{}; now serving {}", reason, models.current().describe());
        try {
            if (publisher == null) {
                publisher = publishers.get();
            }
            publisher.publish(rollback);
        } catch (IOException | RuntimeException e) {
            log.error("the automatic rollback could not be published ({}); this worker no longer serves the canary,"
                    + " the others keep it until someone runs 'fashion-worker release retire --role canary'", e.getMessage());
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops following the topic; the live releases stay the caller's (through its {@link LiveModels}). */
    @Override
    public synchronized void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        if (thread != null) {
            try {
                // a poll ends within a second; a release being gated takes a few
                thread.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warn("the release watcher did not stop within {} s; its clients close with the process",
                        CLOSE_WAIT.toSeconds());
                return; // closing them under its feet would fail it mid-call
            }
        }
        topic.close();
        if (publisher != null) {
            publisher.close();
        }
    }
}
