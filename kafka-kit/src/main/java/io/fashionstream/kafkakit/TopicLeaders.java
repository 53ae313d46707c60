package io.fashionstream.kafkakit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for new topics to be usable: every partition with a leader, so the first sends do not bounce. */
public final class TopicLeaders {
    private TopicLeaders() {
    }

    /** Returns once every partition of {@code topics} has a leader; {@link TimeoutException} after {@code timeout}. */
    public static void await(Admin admin, List<String> topics, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!haveLeaders(admin, topics, timeout)) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + topics + " have no leader after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private static boolean haveLeaders(Admin admin, List<String> topics, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            Map<String, TopicDescription> found = admin.describeTopics(topics).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return found.values().stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null);
        } catch (ExecutionException e) {
            // Just after creation the broker may not know the topics yet: not ready, not an error.
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }
}
