package io.fashionstream.worker.kafka;

import io.fashionstream.worker.config.WorkerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Under the consumer group protocol, a restarted process joins as the static members its previous
 * incarnation was ({@code <prefix>-<thread>}); the group coordinator refuses a static id still held
 * by a member it has not expired, so a SIGKILLed worker's partitions would wait for its session to
 * time out (45 s by default). Starting, a worker therefore first removes those members from the
 * group (an Admin LeaveGroup, as {@code kafka-consumer-groups} does): their partitions go back to
 * the group at once, and the new incarnation takes them when it joins. Its producers'
 * {@code initTransactions} fences whatever the dead one left open. A live twin with the same
 * prefix is never silently shared: {@code PrefixLock} refuses one on the same host, and across
 * hosts the fencing stops one of the two.
 */
final class PredecessorRemoval {
    private static final Logger log = LoggerFactory.getLogger(PredecessorRemoval.class);

    private PredecessorRemoval() {
    }

    /** Removes the static members {@code instanceIds} from the group, if there; never fails the start. */
    static void remove(WorkerConfig config, List<String> instanceIds) {
        try (Admin admin = Admin.create(Preflight.adminProps(KafkaClients.common(config), config.startupTimeout()))) {
            var options = new RemoveMembersFromConsumerGroupOptions(instanceIds.stream().map(MemberToRemove::new).toList());
            options.reason("a new incarnation of " + config.transactionalIdPrefix() + " is starting");
            var result = admin.removeMembersFromConsumerGroup(config.groupId(), options);
            int removed = 0;
            for (String id : instanceIds) {
                try {
                    result.memberResult(new MemberToRemove(id)).get(config.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    removed++;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownMemberIdException || e.getCause() instanceof GroupIdNotFoundException)) {
                        throw e;
                    }
                }
            }
            if (removed > 0) {
                log.info("removed {} member(s) a previous incarnation of {} left in group {}; their partitions are free now",
                        removed, config.transactionalIdPrefix(), config.groupId());
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                log.warn("could not remove a previous incarnation's members from group {} ({}); its partitions wait for"
                        + " its session to time out", config.groupId(), KafkaErrors.describe(e.getCause()));
            }
        } catch (TimeoutException e) {
            log.warn("could not remove a previous incarnation's members from group {} in time; its partitions wait for"
                    + " its session to time out", config.groupId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
