package io.fashionstream.worker.release;

import io.fashionstream.core.model.ModelCard;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelLoadException;
import io.fashionstream.core.release.ReleaseGate;
import io.fashionstream.worker.config.ConfigSources;
import io.fashionstream.worker.config.WorkerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code fashion-worker release publish|list|promote|rollback|retire}: model rollout through the
 * release topic, which every worker follows without a restart (docs/design.md, "Model rollout").
 */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Publish model releases and roll them out, list what is live, promote, roll back.")
public final class ReleaseCommands implements Callable<Integer> {
    /** A command that ran but was refused: the gate refused the model, Kafka refused a record, no such release. */
    static final int EXIT_REFUSED = 1;

    @Spec
    CommandSpec spec;

    /** The command with its subcommands, reading settings from {@code sources}. */
    public static CommandLine tree(ConfigSources sources) {
        return new CommandLine(new ReleaseCommands())
                .addSubcommand(new Publish(sources))
                .addSubcommand(new ListReleases(sources))
                .addSubcommand(new Promote(sources))
                .addSubcommand(new Rollback(sources))
                .addSubcommand(new Retire(sources));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** What every subcommand shares: the topic options, the settings sources and the output. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ReleaseTopicOptions topic;

        @Option(names = "--reason", description = "Why, recorded in the rollout")
        String reason;

        final ConfigSources sources;

        Base(ConfigSources sources) {
            this.sources = sources;
        }

        @Override
        public Integer call() throws Exception {
            sources.checkFileKeys(spec);
            try (ReleaseAdmin admin = topic.open(sources)) {
                return run(admin, spec.commandLine().getOut());
            } catch (ModelLoadException e) {
                throw e; // a model that is not there is a usage error
            } catch (IOException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return EXIT_REFUSED;
            }
        }

        abstract int run(ReleaseAdmin admin, PrintWriter out) throws Exception;

        int refuse(String message) {
            spec.commandLine().getErr().println("error: " + message);
            return EXIT_REFUSED;
        }

        /** Publishes {@code next} and says what is live now. */
        int roll(ReleaseAdmin admin, PrintWriter out, Rollout next) throws IOException {
            admin.publish(next);
            out.println("rollout " + next.id() + " (" + next.action() + "): " + next.describe());
            out.flush();
            return 0;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Gate a model, publish it to the release topic and roll it out as primary, canary or shadow.")
    static final class Publish extends Base {
        @Option(names = "--model", required = true, description = "Model name in --models-dir, or a .zip or .onnx file")
        String model;

        @Option(names = "--models-dir", description = "Where model names are looked up (default: the installation's models/)")
        Path modelsDir = WorkerConfig.DEFAULT_MODELS_DIR;

        @Option(names = "--as", defaultValue = "primary", description = "primary, canary or shadow (default: ${DEFAULT-VALUE})")
        String role;

        @Option(names = "--canary-share", defaultValue = "0.1",
                description = "Share of inputs (by key) a canary answers, between 0 and 1 (default: ${DEFAULT-VALUE})")
        double share;

        @Option(names = "--gate-tolerance", defaultValue = "" + ReleaseGate.DEFAULT_TOLERANCE,
                description = "How far under its card it may score on the golden set (default: ${DEFAULT-VALUE})")
        double tolerance;

        Publish(ConfigSources sources) {
            super(sources);
        }

        @Override
        int run(ReleaseAdmin admin, PrintWriter out) throws Exception {
            Role as = parseRole(role, true);
            if (as == Role.CANARY && !(share > 0 && share < 1)) {
                throw new IllegalArgumentException("--canary-share must be between 0 and 1 (exclusive), not " + share);
            }
            ModelRelease release = release(model, modelsDir);
            ReleaseGate.Verdict verdict = new ReleaseGate(tolerance, 0).check(release.onnx(), release.sha256(), release.card());
            if (verdict instanceof ReleaseGate.Refused refused) {
                return refuse("the gate refused " + release.id() + " (" + refused.check().label() + "): " + refused.reason());
            }
            ReleaseGate.Passed passed = (ReleaseGate.Passed) verdict;
            passed.engine().close();
            out.printf(Locale.ROOT, "gate: %s passed (golden-set accuracy %.4f on %d images, its card %.4f)%n",
                    release.id(), passed.accuracy(), passed.goldenImages(), release.card().testAccuracy());
            if (admin.ensureTopic()) {
                out.println("created release topic " + admin.topic());
            }
            Optional<Rollout> live = admin.read().latest();
            if (live.isEmpty() && as != Role.PRIMARY) {
                return refuse("nothing is live on " + admin.topic() + ": publish a primary first");
            }
            if (live.isPresent() && live.get().names(release.id())) {
                return refuse(release.id() + " is live already (" + live.get().describe() + "); promote or retire it");
            }
            if (admin.read().listed(release.id()).isEmpty()) {
                admin.publish(release);
                out.println("published release " + release.id() + " (" + release.onnx().length + " bytes, SHA-256 "
                        + release.sha256() + ")");
            }
            Rollout now = live.orElse(null);
            String why = reason != null ? reason : "publish " + release.id() + " as " + as.label();
            Rollout next = switch (as) {
                case PRIMARY -> Rollout.of(Rollout.PUBLISH, release.id(), null, null, now == null ? null : now.shadow(),
                        why, ReleaseAdmin.operator());
                case CANARY -> Rollout.of(Rollout.PUBLISH, now.primary(), release.id(), share, now.shadow(), why,
                        ReleaseAdmin.operator());
                case SHADOW -> Rollout.of(Rollout.PUBLISH, now.primary(), now.canary(), now.canaryShare(), release.id(),
                        why, ReleaseAdmin.operator());
            };
            return roll(admin, out, next);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "What is live, every release the topic holds, and the history of rollouts.")
    static final class ListReleases extends Base {
        ListReleases(ConfigSources sources) {
            super(sources);
        }

        @Override
        int run(ReleaseAdmin admin, PrintWriter out) throws IOException {
            ReleaseLog log = admin.read();
            out.println("live: " + log.latest().map(r -> r.describe() + " (since " + r.at() + ", rollout " + r.id() + ")")
                    .orElse("nothing (the workers serve their --model)"));
            out.println();
            out.println("releases:");
            for (ModelRelease r : log.releases()) {
                out.printf(Locale.ROOT, "  %-22s model %-9s version %s  card accuracy %s  published %s by %s%n", r.id(),
                        r.name(), r.version(), r.card() == null ? "-" : String.format(Locale.ROOT, "%.4f",
                                r.card().testAccuracy()), r.publishedAt(), r.publishedBy());
            }
            out.println();
            out.println("history (oldest first):");
            for (Rollout r : log.history()) {
                out.printf(Locale.ROOT, "  %s  %-13s %s%s  by %s%n", r.at(), r.action(), r.describe(),
                        r.reason() == null ? "" : "  (" + r.reason() + ")", r.by());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Make the canary (or the shadow) the primary.")
    static final class Promote extends Base {
        @Option(names = "--from", description = "canary or shadow (default: the canary if there is one, else the shadow)")
        String from;

        Promote(ConfigSources sources) {
            super(sources);
        }

        @Override
        int run(ReleaseAdmin admin, PrintWriter out) throws IOException {
            Optional<Rollout> live = admin.read().latest();
            if (live.isEmpty()) {
                return refuse("nothing is live on " + admin.topic());
            }
            Rollout now = live.get();
            Role role = from != null ? parseRole(from, false) : now.canary() != null ? Role.CANARY : Role.SHADOW;
            String candidate = role == Role.CANARY ? now.canary() : now.shadow();
            if (candidate == null) {
                return refuse("there is no " + role.label() + " to promote (" + now.describe() + ")");
            }
            String why = reason != null ? reason : "promote " + role.label() + " " + candidate + " over " + now.primary();
            return roll(admin, out, Rollout.of(Rollout.PROMOTE, candidate, null, null,
                    role == Role.SHADOW ? null : now.shadow(), why, ReleaseAdmin.operator()));
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Serve an earlier release as primary again (by default the one before the current primary),"
                    + " ending any canary and shadow.")
    static final class Rollback extends Base {
        @Option(names = "--to", description = "The release id to go back to (see 'release list')")
        String to;

        Rollback(ConfigSources sources) {
            super(sources);
        }

        @Override
        int run(ReleaseAdmin admin, PrintWriter out) throws IOException {
            ReleaseLog log = admin.read();
            Optional<Rollout> live = log.latest();
            if (live.isEmpty()) {
                return refuse("nothing is live on " + admin.topic());
            }
            String target = to != null ? to : previousPrimary(log.history(), live.get().primary()).orElse(null);
            if (target == null) {
                return refuse("no earlier primary than " + live.get().primary() + " in the history; name one with --to");
            }
            if (log.listed(target).isEmpty()) {
                return refuse("the release topic holds no release " + target + " (see 'release list')");
            }
            // Published again, so the release the workers go back to is the newest copy in the topic.
            admin.publish(log.release(target, java.time.Duration.ofSeconds(30)));
            String why = reason != null ? reason : "roll back from " + live.get().primary() + " to " + target;
            return roll(admin, out, Rollout.of(Rollout.ROLLBACK, target, null, null, null, why, ReleaseAdmin.operator()));
        }

        /** The primary of the latest rollout before the current primary took over. */
        static Optional<String> previousPrimary(List<Rollout> history, String current) {
            for (int i = history.size() - 1; i >= 0; i--) {
                if (!history.get(i).primary().equals(current)) {
                    return Optional.of(history.get(i).primary());
                }
            }
            return Optional.empty();
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true, description = "End the canary or the shadow.")
    static final class Retire extends Base {
        @Option(names = "--role", required = true, description = "canary or shadow")
        String role;

        Retire(ConfigSources sources) {
            super(sources);
        }

        @Override
        int run(ReleaseAdmin admin, PrintWriter out) throws IOException {
            Role which = parseRole(role, false);
            Optional<Rollout> live = admin.read().latest();
            if (live.isEmpty() || (which == Role.CANARY ? live.get().canary() : live.get().shadow()) == null) {
                return refuse("there is no " + which.label() + " live" + live.map(r -> " (" + r.describe() + ")").orElse(""));
            }
            Rollout now = live.get();
            String why = reason != null ? reason : "retire " + which.label();
            return roll(admin, out, which == Role.CANARY ? now.withoutCanary(Rollout.RETIRE, why, ReleaseAdmin.operator())
                    : Rollout.of(Rollout.RETIRE, now.primary(), now.canary(), now.canaryShare(), null, why,
                    ReleaseAdmin.operator()));
        }
    }

    static Role parseRole(String word, boolean primaryAllowed) {
        for (Role r : Role.values()) {
            if (r.label().equals(word.toLowerCase(Locale.ROOT)) && (primaryAllowed || r != Role.PRIMARY)) {
                return r;
            }
        }
        throw new IllegalArgumentException("'" + word + "' is not " + (primaryAllowed ? "primary, canary or shadow" : "canary or shadow"));
    }

    /** A model file as a release: its ONNX export's bytes and its card. */
    static ModelRelease release(String model, Path modelsDir) throws ModelLoadException, IOException {
        Path file = ModelFiles.resolve(model, modelsDir);
        Path onnx = file.getFileName().toString().endsWith(".onnx") ? file : ModelFiles.onnxPath(file);
        if (!Files.isRegularFile(onnx)) {
            throw new IllegalArgumentException("no ONNX export " + onnx + " (fashion-trainer export writes one)");
        }
        ModelCard card = ModelFiles.readCard(onnx).orElseThrow(() -> new IllegalArgumentException(
                "no model card beside " + onnx + ": the gate needs one"));
        return ModelRelease.of(ModelFiles.modelName(onnx), card, Files.readAllBytes(onnx), Instant.now(),
                ReleaseAdmin.operator());
    }
}
