package io.fashionstream.worker.metrics;

import io.fashionstream.worker.batch.Answer;
import io.fashionstream.worker.batch.ReleasePass;
import io.fashionstream.worker.batch.ServedBy;
import io.fashionstream.worker.release.Deployment;
import io.fashionstream.worker.release.LiveModels;
import io.fashionstream.worker.release.LiveRelease;
import io.fashionstream.worker.release.Role;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The meters of model releases (docs/design.md, "Model rollout"): which release is live in which
 * role, answers and forward-pass time per release, how a canary or shadow compares with the
 * primary, refusals by the gate's check and rollout events by action. The gauges of a release in a
 * role (its drift, its comparison, the primary's model info and card accuracy) are registered when
 * it takes the role and removed when it leaves it, so a dashboard shows only what is live.
 * Thread-safe.
 */
public final class ReleaseMetrics implements MeterBinder {
    private final LiveModels models;
    private MeterRegistry registry;
    /** The gauges of each release in its current role. */
    private final Map<LiveRelease, List<Meter>> roleMeters = new HashMap<>();
    private final Map<LiveRelease, Role> roles = new HashMap<>();
    private final Map<LiveRelease, Comparison> comparisons = new ConcurrentHashMap<>();
    private final Map<String, Counter> answers = new ConcurrentHashMap<>();
    private final Map<String, Counter> reviews = new ConcurrentHashMap<>();
    private final Map<String, Timer> passes = new ConcurrentHashMap<>();

    public ReleaseMetrics(LiveModels models) {
        this.models = models;
        models.onSwitch((old, now) -> switched(now));
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        // Zero-valued series from the start, so rates and alerts have something to work on.
        refusals("none");
        events("none");
        switched(models.current());
    }

    /** A release the gate (or the topic) refused, by the check that refused it. */
    public void refused(String check) {
        if (registry != null && !"none".equals(check)) {
            refusals(check).increment();
        }
    }

    private Counter refusals(String check) {
        return Counter.builder("fashion.release.refusals")
                .description("Releases refused before serving, by the check that refused them")
                .tags("check", check)
                .register(registry);
    }

    /** A rollout applied (or, for an automatic rollback, decided) by this worker. */
    public void rolloutApplied(String action) {
        if (registry != null) {
            events(action).increment();
        }
    }

    private Counter events(String action) {
        return Counter.builder("fashion.rollout.events")
                .description("Rollouts this worker applied, by action (publish, promote, retire, rollback, auto-rollback)")
                .tags("action", action)
                .register(registry);
    }

    /** Times each release's forward pass over a batch. */
    public void recordPasses(List<ReleasePass> batchPasses) {
        if (registry == null) {
            return;
        }
        for (ReleasePass pass : batchPasses) {
            passes.computeIfAbsent(pass.release().id() + "/" + pass.role().label(), k -> Timer.builder("fashion.release.inference")
                    .description("Forward-pass time per batch, by release and role")
                    .tags("release", pass.release().id(), "role", pass.role().label())
                    .serviceLevelObjectives(WorkerMetrics.LATENCY_BUCKETS)
                    .register(registry)).record(pass.nanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Counts a committed answer for the release that gave it, and compares it with what the others said. */
    public void recordAnswered(Answer answer) {
        ServedBy served = answer.served();
        if (registry == null || served == null) {
            return;
        }
        LiveRelease release = served.release();
        answers.computeIfAbsent(release.id() + "/" + served.role().label(), k -> Counter.builder("fashion.release.answers")
                .description("Committed answers by the release and role that gave them")
                .tags("release", release.id(), "role", served.role().label())
                .register(registry)).increment();
        if (answer.review() != null) {
            reviews.computeIfAbsent(release.name() + "/" + release.version(), k -> Counter.builder("fashion.reviews")
                    .description("Answers also sent to the review topic (confidence under the review threshold)")
                    .tags("model", release.name(), "version", release.version())
                    .register(registry)).increment();
        }
        if (release.drift() != null) {
            release.drift().record(answer.prediction(), answer.measured());
        }
        if (served.primaryAnswer() != null) {
            comparison(release).record(answer.prediction(), served.primaryAnswer(), answer.truth());
        }
        if (served.shadowAnswer() != null && served.role() == Role.PRIMARY) {
            comparison(served.shadow()).record(served.shadowAnswer(), answer.prediction(), answer.truth());
        }
    }

    /** How {@code candidate} (a canary or shadow) compares with the primary since it took its role. */
    public Comparison comparison(LiveRelease candidate) {
        return comparisons.computeIfAbsent(candidate, k -> new Comparison());
    }

    /** Moves each release's role gauges to its role in {@code now}; a release taking a new role starts a fresh comparison. */
    private synchronized void switched(Deployment now) {
        if (registry == null) {
            return;
        }
        for (LiveRelease r : List.copyOf(roles.keySet())) {
            if (now.roleOf(r) != roles.get(r)) {
                roleMeters.remove(r).forEach(registry::remove);
                roles.remove(r);
                comparisons.remove(r);
            }
        }
        for (LiveRelease r : now.releases()) {
            if (!roles.containsKey(r)) {
                Role role = now.roleOf(r);
                roles.put(r, role);
                roleMeters.put(r, register(r, role));
            }
        }
    }

    private List<Meter> register(LiveRelease release, Role role) {
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("fashion.release.live", () -> 1)
                .description("Releases live in this worker, by role")
                .tags("release", release.id(), "model", release.name(), "version", release.version(), "role", role.label())
                .register(registry));
        if (role != Role.SHADOW && release.drift() != null) {
            meters.addAll(release.drift().register(registry));
        }
        if (role == Role.PRIMARY) {
            meters.add(Gauge.builder("fashion.model.info", () -> 1)
                    .description("The model this worker serves (its primary release) and the precision it runs in")
                    .tags("model", release.name(), "version", release.version(), "precision",
                            release.precision().cliName())
                    .register(registry));
            // What the rolling accuracy is held against: alerts fire when it falls well under the card's.
            meters.add(Gauge.builder("fashion.model.card.accuracy", release::cardAccuracy)
                    .description("Test accuracy recorded in the primary release's card")
                    .tags("model", release.name(), "version", release.version())
                    .register(registry));
        } else {
            meters.add(compared(release, role, "fashion.release.agreement", Comparison::agreement,
                    "Share of the last " + Comparison.WINDOW + " inputs on which this release and the primary agree"));
            meters.add(compared(release, role, "fashion.release.accuracy", Comparison::candidateAccuracy,
                    "This release's accuracy on the labelled inputs among them"));
            meters.add(compared(release, role, "fashion.release.primary.accuracy", Comparison::primaryAccuracy,
                    "The primary's accuracy on the same labelled inputs"));
            meters.add(compared(release, role, "fashion.release.compared", x -> x.compared(),
                    "Inputs in the comparison window"));
        }
        return meters;
    }

    private Gauge compared(LiveRelease release, Role role, String name, ToDoubleFunction<Comparison> value,
                           String description) {
        return Gauge.builder(name, () -> value.applyAsDouble(comparison(release)))
                .description(description)
                .tags("release", release.id(), "role", role.label())
                .register(registry);
    }
}
