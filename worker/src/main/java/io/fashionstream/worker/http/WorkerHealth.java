package io.fashionstream.worker.http;

import io.fashionstream.worker.kafka.WorkerPool;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the health endpoints report. Liveness: the process is up and answering. Readiness: the
 * model is loaded, the pool runs and every worker thread's consumer has joined the group; it
 * turns false again once a stop begins or a worker fails, so a rollout waits for the next pod.
 * Written by the starting command, read by the HTTP threads.
 */
public final class WorkerHealth {
    private volatile String model;
    private volatile WorkerPool pool;
    private volatile boolean stopping;

    /** The model is loaded and will be served. */
    public void modelLoaded(String name, String version) {
        this.model = name + " " + version;
    }

    public void poolStarted(WorkerPool pool) {
        this.pool = pool;
    }

    /** A graceful stop has begun: not ready any more. */
    public void stopping() {
        this.stopping = true;
    }

    /** Always up while the process can answer at all. */
    public Report liveness() {
        return new Report(true, Map.of("status", "UP"));
    }

    public Report readiness() {
        WorkerPool p = pool;
        Map<String, Object> body = new LinkedHashMap<>();
        boolean ready;
        if (model == null) {
            body.put("model", "loading");
            ready = false;
        } else {
            body.put("model", model);
            ready = p != null;
        }
        if (p == null) {
            body.put("workers", "not started");
        } else {
            body.put("workers", p.joinedWorkers() + "/" + p.size() + " joined the consumer group");
            ready &= p.isReady() && p.failure().isEmpty() && p.isRunning();
            p.failure().ifPresent(f -> body.put("failure", f.getMessage()));
        }
        if (stopping) {
            body.put("stopping", true);
            ready = false;
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("status", ready ? "UP" : "DOWN");
        report.putAll(body);
        return new Report(ready, report);
    }

    /** A health answer: {@code up} decides the status code, {@code body} is served as JSON. */
    public record Report(boolean up, Map<String, Object> body) {
    }
}
