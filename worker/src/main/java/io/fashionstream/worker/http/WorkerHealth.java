package io.fashionstream.worker.http;

import io.fashionstream.worker.kafka.WorkerPool;
import io.fashionstream.worker.kafka.WorkerStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the health endpoints report. Liveness: the process is up and answering; a broker outage
 * does not fail it, since a restart would not help. Readiness: the model is loaded, the pool runs,
 * every worker thread's consumer has joined the group, none has failed, and none has been out of
 * touch with the broker or stuck on input it cannot answer for longer than the pool's stall
 * timeout. It turns false again once a stop begins. The JSON body says why it is not ready.
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
            body.put("groupProtocol", p.protocol().cliName());
            List<String> problems = new ArrayList<>();
            for (WorkerStatus s : p.statuses()) {
                s.problem(p.stallTimeout()).ifPresent(why -> problems.add(s.name() + ": " + why));
            }
            if (!problems.isEmpty()) {
                body.put("problems", problems);
            }
            ready &= problems.isEmpty() && p.isRunning();
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
