package io.fashionstream.tools.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where this process's CPU time goes, by thread group, from Linux's per-thread counters
 * ({@code /proc/self/task/<tid>/stat}), which also count native threads such as ND4J's OpenMP
 * pool that the JVM's thread beans cannot see. With the machine's own counters
 * ({@code /proc/stat}) it also shows how much CPU other processes took meanwhile. Empty on
 * systems without {@code /proc}.
 */
public final class ThreadCpu {
    /** Linux's USER_HZ: the unit of the per-thread counters on every mainstream architecture. */
    private static final double TICKS_PER_SECOND = 100.0;
    static final String OTHER_PROCESSES = "other processes";
    /** The group of the JVM's JIT compiler threads. */
    public static final String JIT_COMPILER = "JVM JIT compiler";
    /** The group of the bench's own load: its sender and the reader that times the answers. */
    static final String BENCH = "bench sender and reader";
    /** The group of the threads no prefix names: the embedded broker's above all. */
    static final String BROKER = "broker and the rest";
    /** The group of the workers' decode helpers. */
    static final String DECODE_HELPERS = "decode helpers";

    /** Thread name prefixes (as Linux keeps them: the first 15 characters) and their group. */
    private static final List<Map.Entry<String, String>> GROUPS = List.of(
            Map.entry("fashion-worker", "worker threads (poll, publish)"),
            Map.entry("decode-", DECODE_HELPERS),
            Map.entry("forward-", "forward-pass helpers"),
            // ND4J's OpenMP threads have no name of their own; nor have the launcher's, which sleep
            Map.entry("java", "engine thread pools (forward pass)"),
            Map.entry("kafka-producer-", "Kafka clients' I/O threads"),
            Map.entry("consumer_", "Kafka clients' I/O threads"),
            Map.entry("fashion-bench", BENCH),
            Map.entry("GC Thread", "JVM garbage collector"),
            Map.entry("G1 ", "JVM garbage collector"),
            Map.entry("C1 CompilerThre", JIT_COMPILER),
            Map.entry("C2 CompilerThre", JIT_COMPILER),
            Map.entry("VM Thread", "JVM garbage collector"));

    /** CPU ticks of one thread so far. */
    private record Ticks(String name, long ticks) {
    }

    private final Map<String, Ticks> ticksByThread;
    private final long machineBusyTicks;
    private final long nanoTime;

    private ThreadCpu(Map<String, Ticks> ticksByThread, long machineBusyTicks, long nanoTime) {
        this.ticksByThread = ticksByThread;
        this.machineBusyTicks = machineBusyTicks;
        this.nanoTime = nanoTime;
    }

    /** The counters now. */
    public static ThreadCpu now() {
        Map<String, Ticks> ticks = new HashMap<>();
        long machine = -1;
        Path tasks = Path.of("/proc/self/task");
        if (Files.isDirectory(tasks)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
                for (Path dir : dirs) {
                    readThread(dir.resolve("stat")).ifPresent(t -> ticks.put(dir.getFileName().toString(), t));
                }
                machine = machineBusyTicks(Files.readAllLines(Path.of("/proc/stat")).get(0));
            } catch (IOException | RuntimeException e) {
                ticks.clear();
            }
        }
        return new ThreadCpu(ticks, machine, System.nanoTime());
    }

    /**
     * Cores used on average by each group between {@code before} and this snapshot (1.0 = one
     * core busy all the time), busiest first, ending with other processes on the machine.
     */
    public Map<String, Double> coresSince(ThreadCpu before) {
        double seconds = (nanoTime - before.nanoTime) / 1e9;
        Map<String, Double> cores = new HashMap<>();
        if (seconds <= 0 || ticksByThread.isEmpty() || before.ticksByThread.isEmpty()) {
            return Map.of();
        }
        long ownTicks = 0;
        for (Map.Entry<String, Ticks> e : ticksByThread.entrySet()) {
            Ticks earlier = before.ticksByThread.get(e.getKey());
            long delta = e.getValue().ticks() - (earlier == null ? 0 : earlier.ticks());
            ownTicks += delta;
            cores.merge(group(e.getValue().name()), delta / TICKS_PER_SECOND / seconds, Double::sum);
        }
        Map<String, Double> sorted = new LinkedHashMap<>();
        cores.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        if (machineBusyTicks >= 0 && before.machineBusyTicks >= 0) {
            // Threads that ended during the interval are missing from ownTicks, so this errs high, never low.
            double others = (machineBusyTicks - before.machineBusyTicks - ownTicks) / TICKS_PER_SECOND / seconds;
            sorted.put(OTHER_PROCESSES, Math.max(0, others));
        }
        return sorted;
    }

    /** Every group, in display order. */
    public static List<String> groups() {
        List<String> names = new java.util.ArrayList<>(GROUPS.stream().map(Map.Entry::getValue).distinct().toList());
        names.add(BROKER);
        names.add(OTHER_PROCESSES);
        return names;
    }

    static String group(String threadName) {
        for (Map.Entry<String, String> g : GROUPS) {
            if (g.getKey().equals("java") ? threadName.equals("java") : threadName.startsWith(g.getKey())) {
                return g.getValue();
            }
        }
        return BROKER;
    }

    /** "tid (comm) state ... utime stime ...": the name may hold spaces and parentheses. */
    private static Optional<Ticks> readThread(Path stat) {
        try {
            String s = Files.readString(stat);
            int open = s.indexOf('(');
            int close = s.lastIndexOf(')');
            String[] fields = s.substring(close + 2).split(" ");
            // fields[0] is the state (stat field 3), so utime (field 14) and stime (15) are at 11 and 12
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return Optional.of(new Ticks(s.substring(open + 1, close), ticks));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // the thread ended while we looked
        }
    }

    /** user + nice + system + irq + softirq + steal of the "cpu" line. */
    static long machineBusyTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        long busy = 0;
        for (int i : new int[]{1, 2, 3, 6, 7, 8}) {
            busy += Long.parseLong(f[i]);
        }
        return busy;
    }
}
