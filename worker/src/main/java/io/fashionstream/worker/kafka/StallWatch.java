package io.fashionstream.worker.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Logs, once per change rather than per poll, when a pool's workers lose or regain the broker and
 * when a worker gets stuck on input it cannot answer or moves again. Run every second by the pool.
 */
final class StallWatch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StallWatch.class);

    private final Supplier<List<WorkerStatus>> statuses;
    private final Duration limit;
    private final Set<String> stuck = new HashSet<>();
    private long brokerLostNanos;

    StallWatch(Supplier<List<WorkerStatus>> statuses, Duration limit) {
        this.statuses = statuses;
        this.limit = limit;
    }

    @Override
    public void run() {
        List<WorkerStatus> now = statuses.get();
        WorkerStatus silent = now.stream().filter(s -> s.brokerSilent(limit)).findFirst().orElse(null);
        if (silent != null && brokerLostNanos == 0) {
            brokerLostNanos = System.nanoTime() - (long) (silent.brokerSilenceSeconds() * 1e9);
            log.warn("lost contact with the Kafka broker: no heartbeat reached the group coordinator for {} s",
                    Math.round(silent.brokerSilenceSeconds()));
        } else if (silent == null && brokerLostNanos != 0 && now.stream().allMatch(WorkerStatus::joined)) {
            log.info("contact with the Kafka broker regained after {} s", (System.nanoTime() - brokerLostNanos) / 1_000_000_000);
            brokerLostNanos = 0;
        }
        for (WorkerStatus s : now) {
            if (s.stuck(limit) && stuck.add(s.name())) {
                log.warn("{}: stuck: holds {} input(s) it has not been able to answer for {} s", s.name(),
                        s.heldRecords(), Math.round(s.progressAgeSeconds()));
            } else if (!s.stuck(limit) && stuck.remove(s.name())) {
                log.info("{}: answering again", s.name());
            }
        }
    }
}
