package io.fashionstream.tools.bench;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A bench report as Markdown tables, the way the README's Performance section shows it. */
final class BenchMarkdown {
    private BenchMarkdown() {
    }

    static String of(BenchCommand.Report report) {
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(report.machine().describe()).append("\n\n");
        if (report.engine() != null && !report.engine().isEmpty()) {
            engine(md, report.engine(), report.engineTargets());
        }
        if (report.pipeline() != null) {
            pipeline(md, report.pipeline());
        }
        if (report.failover() != null) {
            failover(md, report.failover());
        }
        if (report.photos() != null) {
            photos(md, report.photos());
        }
        return md.toString();
    }

    private static void photos(StringBuilder md, BenchCommand.PhotoReport p) {
        List<PhotoBench.Accuracy> rows = p.accuracy();
        List<String> models = List.copyOf(rows.get(0).rawByModel().keySet());
        md.append(String.format("Photos: accuracy on %,d %s images as they are (raw) and rendered as catalog photos"
                + " (seed %d), through the worker's preprocessing; photo minus raw in points; residual: mean absolute"
                + " difference between a photo's network input and its raw image's, in gray levels%n%n", rows.get(0).images(),
                p.split(), p.seed()));
        md.append("| variation | what | residual |");
        models.forEach(m -> md.append(" `").append(m).append("` raw | photo | diff |"));
        md.append("\n|---|---|---:|").append("---:|---:|---:|".repeat(models.size())).append('\n');
        for (PhotoBench.Accuracy a : rows) {
            md.append("| ").append(a.variation()).append(" | ").append(a.description())
                    .append(String.format(" | %.1f |", a.residual()));
            for (String m : models) {
                double raw = a.rawByModel().get(m);
                double photo = a.photoByModel().get(m);
                md.append(String.format(" %.3f | %.3f | %+.1f |", raw, photo, 100 * (photo - raw)));
            }
            md.append('\n');
        }
        md.append("\nDecoding and preprocessing one photo (CPU time of one thread):\n\n");
        md.append("| format | size | bytes | ms per photo | photos/s per core |\n|---|---|---:|---:|---:|\n");
        for (PhotoBench.DecodeSpeed d : p.decoding()) {
            md.append(String.format("| %s | %dx%d | %,d | %.2f | %,.0f |%n", d.format(), d.width(), d.height(), d.bytes(),
                    d.msPerPhoto(), d.photosPerSecPerCore()));
        }
        md.append('\n');
    }

    private static void engine(StringBuilder md, List<BenchCommand.ModelResult> results, EngineTargets targets) {
        md.append("Engine: forward-pass images/s by batch size\n\n| model | engine | threads |");
        List<EngineBench.Point> first = results.get(0).points();
        first.forEach(p -> md.append(" ").append(p.batchSize()).append(" |"));
        md.append("\n|---|---|---:|");
        first.forEach(p -> md.append("---:|"));
        md.append("\n");
        for (BenchCommand.ModelResult r : results) {
            md.append("| `").append(r.model()).append("` | ").append(r.engine()).append(" | ").append(r.threads()).append(" |");
            r.points().forEach(p -> md.append(String.format(" %,.0f |", p.imagesPerSec())));
            md.append("\n");
        }
        md.append("\n");
        if (targets != null) {
            md.append(String.format("Targets (ratios from this run, `%s`, ONNX Runtime with %d thread(s) against DL4J):"
                            + " %.1fx at batch 1 and %.1fx at batch 8 (target 10x), %.1fx at batch 512 (target 5x).%n%n",
                    targets.model(), targets.onnxThreads(), targets.speedupAt1(), targets.speedupAt8(),
                    targets.speedupAt512()));
        }
        for (BenchCommand.ModelResult r : results) {
            if (r.layers().isEmpty()) {
                continue;
            }
            md.append(String.format("`%s` on %s, one forward pass of %d images, layer by layer:%n%n", r.model(),
                    r.engine(), r.profileBatch()));
            md.append("| # | layer | type | ms | share |\n|---:|---|---|---:|---:|\n");
            for (LayerProfile.Layer l : r.layers()) {
                md.append(String.format("| %d | %s | %s | %.1f | %.0f%% |%n", l.index(), l.name(), l.type(), l.ms(),
                        100 * l.share()));
            }
            md.append("\n");
        }
    }

    private static void failover(StringBuilder md, List<FailoverBench.Result> results) {
        md.append("Failover: two worker processes on a broker process, steady input; each crash watched for its pause in"
                + " new answers, the longest wait of any input partition, the time until every partition answers again,"
                + " and the recovery: a restarted worker's time to ready, or after a broker restart the time until answers"
                + " flow again\n\n"
                + "| scenario | crash | new answers paused s | slowest partition s | every partition back s |"
                + " recovered after restart s |\n"
                + "|---|---|---:|---:|---:|---:|\n");
        for (FailoverBench.Result r : results) {
            for (FailoverBench.Crash c : r.crashes()) {
                md.append(String.format("| %s | %s | %.1f | %.1f | %.1f | %.1f |%n", r.scenario(), c.what(),
                        c.pauseSeconds(), c.slowestPartitionSeconds(), c.allBackSeconds(), c.recoverySeconds()));
            }
        }
        md.append("\n| scenario | sent | answered | duplicates | unanswered |\n|---|---:|---:|---:|---:|\n");
        for (FailoverBench.Result r : results) {
            md.append(String.format("| %s | %,d | %,d | %d | %d |%n", r.scenario(), r.sent(), r.answered(), r.duplicates(),
                    r.unanswered()));
        }
        md.append("\n");
    }

    /** Where the cores went during each saturated run, when the system reports it (Linux). */
    private static void cpu(StringBuilder md, PipelineReport p) {
        if (p.points().stream().allMatch(x -> x.saturated().cpuCores().isEmpty())) {
            return;
        }
        List<String> groups = ThreadCpu.groups();
        md.append("\nSaturated runs, cores used on average by each group of threads (this process), and by other"
                + " processes on the machine:\n\n| max batch | max wait ms | decode threads | commit interval ms |");
        groups.forEach(g -> md.append(' ').append(g).append(" |"));
        md.append("\n|---:|---:|---:|---:|").append("---:|".repeat(groups.size())).append('\n');
        for (PipelineReport.Point x : p.points()) {
            md.append(String.format("| %d | %d | %d | %d |", x.maxBatch(), x.maxWaitMs(), x.decodeThreads(),
                    x.commitIntervalMs()));
            groups.forEach(g -> md.append(String.format(" %.2f |", x.saturated().cpuCores().getOrDefault(g, 0.0))));
            md.append('\n');
        }
    }

    /**
     * Where each image's core-milliseconds went in each saturated run: every group of threads, the
     * decode helpers' split into decoding, the conversion to 28x28 and the rest (checks, packing).
     */
    private static void perImage(StringBuilder md, PipelineReport p) {
        if (p.points().stream().allMatch(x -> x.saturated().cpuCores().isEmpty())) {
            return;
        }
        List<String> groups = ThreadCpu.groups();
        md.append("\nSaturated runs, core-milliseconds per image by where they went (cores / images per second; decoding"
                + " and conversion timed inside the decode helpers):\n\n| setting | images/s | decode | conversion |");
        groups.forEach(g -> md.append(' ').append(g.equals(ThreadCpu.DECODE_HELPERS) ? "decode helpers, rest" : g).append(" |"));
        md.append(" total |\n|---|---:|---:|---:|").append("---:|".repeat(groups.size() + 1)).append('\n');
        for (PipelineReport.Point x : p.points()) {
            PipelineBench.Measurement m = x.saturated();
            double total = 0;
            StringBuilder row = new StringBuilder();
            for (String g : groups) {
                double ms = 1000 * m.cpuCores().getOrDefault(g, 0.0) / m.imagesPerSec();
                total += ms;
                if (g.equals(ThreadCpu.DECODE_HELPERS)) {
                    ms = Math.max(0, ms - m.decodeMsPerImage() - m.conversionMsPerImage());
                }
                row.append(String.format(" %.3f |", ms));
            }
            md.append(String.format("| %d:%d:%d:%d | %,.0f | %.3f | %.3f |", x.maxBatch(), x.maxWaitMs(), x.decodeThreads(),
                    x.commitIntervalMs(), m.imagesPerSec(), m.decodeMsPerImage(), m.conversionMsPerImage()))
                    .append(row).append(String.format(" %.3f |%n", total));
        }
    }

    private static void pipeline(StringBuilder md, PipelineReport p) {
        md.append(String.format("Pipeline: `%s` on %s, %s images, %d worker thread(s), Kafka %s; saturated = a backlog"
                + " of %,d images in the topic before the pool starts, timed from the pool's sharing out its"
                + " partitions to the last answer; Kafka ceiling = the same with a pass-through engine; half load ="
                + " half the saturated rate for %.0f s after a %d s lead-in at that rate (its p99 apart: a fresh pool's"
                + " first seconds); latency is send to answer visible (read_committed)%n%n",
                p.model(), p.engine(), p.format(), p.workers(), p.kafka(), p.floodImages(), p.loadSeconds(),
                PipelineBench.LEAD_IN.toSeconds()));
        md.append("| max batch | max wait ms | decode threads | commit interval ms | saturated img/s | Kafka ceiling img/s"
                + " | end to end / ceiling | CPU bound / ceiling | engine img/s | mean batch | accuracy | half-load p50 ms"
                + " | p95 ms | p99 ms | p99 bound ms | p99 / bound | lead-in p99 ms |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PipelineReport.Point x : p.points()) {
            md.append(String.format("| %d | %d | %d | %d | %,.0f | %,.0f | %.0f%% | %.0f%% | %,.0f | %.1f | %.4f | %,.0f"
                            + " | %,.0f | %,.0f | %,.0f | %.1fx | %,.0f |%n",
                    x.maxBatch(), x.maxWaitMs(), x.decodeThreads(), x.commitIntervalMs(), x.saturated().imagesPerSec(),
                    x.ceiling().imagesPerSec(), 100 * x.endToEndOverCeiling(), 100 * x.cpuBoundOverCeiling(),
                    x.engineImagesPerSec(),
                    x.saturated().meanBatchSize(), x.saturated().accuracy(), x.halfLoad().p50Ms(), x.halfLoad().p95Ms(), x.halfLoad().p99Ms(),
                    x.p99BoundMs(), x.halfLoadP99OverBound(), x.halfLoad().p99LeadInMs()));
        }
        cpu(md, p);
        perImage(md, p);
        objective(md, p);
        PipelineReport.Targets t = p.targets();
        md.append(String.format("%nTargets (ratios from this run): fastest setting %,.0f images/s end to end (target"
                        + " 10,000), %.2f of its Kafka ceiling (target 0.80; this machine's cores allow at most %.2f"
                        + " there: the ceiling run's CPU per image plus the engine's); one record per pass"
                        + " %,.0f images/s (target 500), micro-batching gain over it %.1fx; half-load p99 within twice its"
                        + " bound (target: every setting) at %d of %d settings.%n",
                t.bestImagesPerSec(), t.bestEndToEndOverCeiling(), t.bestCpuBoundOverCeiling(),
                t.singleRecordImagesPerSec(), t.microBatchingGain(),
                t.pointsWithinP99Bound(), t.points()));
    }

    private static void objective(StringBuilder md, PipelineReport p) {
        if (p.points().stream().allMatch(x -> x.loads().isEmpty())) {
            return;
        }
        md.append("\nUnder a latency objective (`--max-latency-ms`), each share of the setting's saturated rate under live"
                + " input (the bench's sender offering the backlog's saturated rate and sharing the cores, as it does at"
                + " every share: a real pool's producers are elsewhere)")
                .append(p.points().stream().filter(x -> x.liveSaturated() != null).map(x -> String.format(
                        " %,.0f images/s at %d:%d:%d:%d (%,.0f from a backlog; %,.0f under live input again after the"
                                + " shares)", x.liveSaturated().imagesPerSec(), x.maxBatch(), x.maxWaitMs(), x.decodeThreads(),
                        x.commitIntervalMs(), x.saturated().imagesPerSec(), x.liveSaturatedAfter().imagesPerSec()))
                        .collect(Collectors.joining(";", ":", ",")))
                .append(" for")
                .append(String.format(" %.0f s after the lead-in; latency send to answer visible; cores busy on the"
                        + " machine during the run (lead-in included), and of them the bench's own sender and reader"
                        + " and the embedded broker, which share the cores with the worker here:%n%n", p.loadSeconds()));
        md.append("| setting | objective ms | share of live saturated | offered img/s | answered img/s | mean batch | p50 ms"
                + " | p95 ms | p99 ms | p99 within the objective | cores busy | bench sender and reader | broker |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n");
        for (PipelineReport.Point x : p.points()) {
            for (PipelineReport.Load l : x.loads()) {
                PipelineBench.Measurement m = l.measured();
                Map<String, Double> cores = m.cpuCores();
                md.append(String.format("| %d:%d:%d:%d | %d | %.0f%% | %,.0f | %,.0f | %.1f | %,.0f | %,.0f | %,.0f | %s"
                                + " | %.2f | %.2f | %.2f |%n",
                        x.maxBatch(), x.maxWaitMs(), x.decodeThreads(), x.commitIntervalMs(), x.maxLatencyMs(),
                        100 * l.share(), m.offeredPerSec(), m.imagesPerSec(), m.meanBatchSize(), m.p50Ms(), m.p95Ms(),
                        m.p99Ms(), l.withinObjective() ? "yes" : "no",
                        cores.values().stream().mapToDouble(Double::doubleValue).sum(),
                        cores.getOrDefault(ThreadCpu.BENCH, 0.0), cores.getOrDefault(ThreadCpu.BROKER, 0.0)));
            }
        }
    }
}
