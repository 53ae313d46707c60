package io.fashionstream.worker.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), so tests fail on
 * output a Prometheus server would refuse: every line is a HELP, a TYPE or a well-formed sample;
 * a family's samples follow its TYPE line and are not interleaved with another's; histogram
 * buckets carry {@code le}, never decrease and end in {@code +Inf} equal to {@code _count}.
 */
public final class PrometheusText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)})? (\\S+)(?: (-?\\d+))?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Set<String> SUFFIXES = Set.of("_bucket", "_count", "_sum", "_total", "_created");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** One metric family: its TYPE and samples in the order they appeared. */
    public record Family(String name, String type, List<Sample> samples) {
    }

    private PrometheusText() {
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming the first bad line. */
    public static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Family current = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                continue;
            }
            if ((m = TYPE.matcher(line)).matches()) {
                if (families.containsKey(m.group(1))) {
                    throw bad(lineNo, line, "second TYPE line for " + m.group(1));
                }
                current = new Family(m.group(1), m.group(2), new ArrayList<>());
                families.put(current.name(), current);
                continue;
            }
            if (line.startsWith("#")) {
                throw bad(lineNo, line, "comment that is neither HELP nor TYPE");
            }
            if (!(m = SAMPLE.matcher(line)).matches()) {
                throw bad(lineNo, line, "not a sample");
            }
            Sample sample = new Sample(m.group(1), labels(m.group(2)), value(m.group(3), lineNo, line));
            if (current == null || !belongsTo(sample.name(), current.name())) {
                throw bad(lineNo, line, "sample outside its family's TYPE block");
            }
            current.samples().add(sample);
        }
        families.values().stream().filter(f -> f.type().equals("histogram")).forEach(PrometheusText::checkHistogram);
        return families;
    }

    private static boolean belongsTo(String sampleName, String family) {
        if (sampleName.equals(family)) {
            return true;
        }
        return sampleName.startsWith(family) && SUFFIXES.contains(sampleName.substring(family.length()));
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text != null) {
            Matcher m = LABEL.matcher(text);
            while (m.find()) {
                labels.put(m.group(1), m.group(2));
            }
        }
        return labels;
    }

    private static double value(String text, int lineNo, String line) {
        switch (text) {
            case "NaN": return Double.NaN;
            case "+Inf": return Double.POSITIVE_INFINITY;
            case "-Inf": return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw bad(lineNo, line, "value is not a number");
                }
        }
    }

    /** Per series (labels other than le): buckets never decrease and +Inf equals _count. */
    private static void checkHistogram(Family f) {
        Map<Map<String, String>, Double> last = new LinkedHashMap<>();
        Map<Map<String, String>, Double> inf = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            Map<String, String> series = new LinkedHashMap<>(s.labels());
            if (s.name().endsWith("_bucket")) {
                String le = series.remove("le");
                if (le == null) {
                    throw new IllegalArgumentException(f.name() + ": bucket without le");
                }
                Double previous = last.put(series, s.value());
                if (previous != null && s.value() < previous) {
                    throw new IllegalArgumentException(f.name() + ": bucket le=" + le + " decreases");
                }
                if (le.equals("+Inf")) {
                    inf.put(series, s.value());
                }
            } else if (s.name().endsWith("_count")) {
                Double top = inf.get(series);
                if (top == null || top != s.value()) {
                    throw new IllegalArgumentException(f.name() + ": +Inf bucket " + top + " is not _count " + s.value());
                }
            }
        }
    }

    private static IllegalArgumentException bad(int lineNo, String line, String why) {
        return new IllegalArgumentException("line " + lineNo + ": " + why + ": " + line);
    }
}
