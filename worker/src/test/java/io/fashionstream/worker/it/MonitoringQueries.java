package io.fashionstream.worker.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.Json;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every PromQL expression the project ships: the Grafana dashboard's panel queries (with
 * Grafana's variables given test values) and the Prometheus rules. An alert is
 * {@code <signal> <comparison> <threshold>}, possibly several joined by {@code and}; it stays
 * empty while nothing is wrong, so its signals are what must return data.
 */
final class MonitoringQueries {
    static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "dashboards", "fashion-stream.json");
    static final Path RULES = Path.of("..", "deploy", "prometheus", "rules", "fashion-worker.yml");
    /** Grafana's variables as the test substitutes them. */
    static final Map<String, String> GRAFANA_VARIABLES = Map.of(
            "$__rate_interval", "10s", "$__range", "2m", "$instance", ".*");

    /** Where an expression comes from, and the expression. */
    record Query(String source, String expr) {
    }

    private MonitoringQueries() {
    }

    static List<Query> dashboard() throws IOException {
        JsonNode dashboard = Json.MAPPER.readTree(DASHBOARD.toFile());
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                for (Map.Entry<String, String> v : GRAFANA_VARIABLES.entrySet()) {
                    expr = expr.replace(v.getKey(), v.getValue());
                }
                queries.add(new Query("dashboard panel '" + panel.path("title").asText() + "'", expr));
            }
        }
        return queries;
    }

    /** Recording rules' expressions and alerts' signals. */
    static List<Query> rules() throws IOException {
        List<Query> queries = new ArrayList<>();
        for (Map<String, Object> rule : ruleDefinitions()) {
            String expr = String.valueOf(rule.get("expr")).strip();
            if (rule.containsKey("record")) {
                queries.add(new Query("recording rule " + rule.get("record"), expr));
            } else {
                for (String signal : signals(expr)) {
                    queries.add(new Query("alert " + rule.get("alert") + " (signal)", signal));
                }
            }
        }
        return queries;
    }

    /** Full alert expressions: must evaluate, may be empty. */
    static List<Query> alerts() throws IOException {
        return ruleDefinitions().stream().filter(rule -> rule.containsKey("alert"))
                .map(rule -> new Query("alert " + rule.get("alert"), String.valueOf(rule.get("expr")).strip())).toList();
    }

    /** Every rule of every group, as written in the file. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> ruleDefinitions() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(RULES));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return rules;
    }

    /** The left side of each top-level comparison, the operands of top-level {@code and} split first. */
    static List<String> signals(String alertExpr) {
        List<String> signals = new ArrayList<>();
        for (String part : splitTopLevel(alertExpr, " and ")) {
            int at = topLevelComparison(part);
            if (at < 0) {
                throw new IllegalArgumentException("alert expression without a threshold: " + alertExpr);
            }
            signals.add(part.substring(0, at).strip());
        }
        return signals;
    }

    private static List<String> splitTopLevel(String expr, String separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            depth += c == '(' || c == '{' || c == '[' ? 1 : c == ')' || c == '}' || c == ']' ? -1 : 0;
            if (depth == 0 && expr.startsWith(separator, i)) {
                parts.add(expr.substring(start, i));
                start = i + separator.length();
            }
        }
        parts.add(expr.substring(start));
        return parts;
    }

    private static int topLevelComparison(String expr) {
        int depth = 0;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            depth += c == '(' || c == '{' || c == '[' ? 1 : c == ')' || c == '}' || c == ']' ? -1 : 0;
            boolean comparison = c == '>' || c == '<' || (c == '=' || c == '!') && i + 1 < expr.length() && expr.charAt(i + 1) == '=';
            if (depth == 0 && comparison) {
                return i;
            }
        }
        return -1;
    }
}
