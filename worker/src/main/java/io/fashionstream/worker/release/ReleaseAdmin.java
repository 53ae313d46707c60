package io.fashionstream.worker.release;

import io.fashionstream.worker.topics.TopicPlan;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the {@code release} commands do to the release topic: read it to its end, create it when
 * publishing to a cluster that lacks it, publish releases and rollouts. One per command run.
 */
final class ReleaseAdmin implements AutoCloseable {
    private final Map<String, Object> clientProps;
    private final String topic;
    private final Duration timeout;
    private final ReleaseLog log;
    private ReleasePublisher publisher;

    ReleaseAdmin(Map<String, Object> clientProps, String topic, Duration timeout) {
        this.clientProps = clientProps;
        this.topic = topic;
        this.timeout = timeout;
        this.log = new ReleaseLog(clientProps, topic);
    }

    /** The topic read to its end. */
    ReleaseLog read() throws IOException {
        try {
            if (!log.catchUp(timeout)) {
                throw new IOException("release topic " + topic + " not read to its end within " + timeout.toMillis() + " ms");
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IOException("cannot read release topic " + topic + ": " + e.getMessage(), e);
        }
        return log;
    }

    /** Creates the topic unless it exists (one replica per broker up to 3); says whether it created it. */
    boolean ensureTopic() throws IOException {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(props)) {
            if (admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
                return false;
            }
            short replicas = (short) Math.min(3, admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size());
            TopicPlan plan = TopicPlan.releases(topic, replicas, ReleaseTopic.MAX_RECORD_BYTES);
            admin.createTopics(java.util.List.of(plan.toNewTopic())).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new IOException("cannot create release topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no answer from Kafka within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    void publish(ModelRelease release) throws IOException {
        publisher().publish(release);
    }

    void publish(Rollout rollout) throws IOException {
        publisher().publish(rollout);
    }

    private ReleasePublisher publisher() {
        if (publisher == null) {
            publisher = new ReleasePublisher(clientProps, topic, timeout);
        }
        return publisher;
    }

    String topic() {
        return topic;
    }

    /** Who runs the command, for the rollouts it publishes: {@code user@host}. */
    static String operator() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        return System.getProperty("user.name", "unknown") + "@" + host;
    }

    @Override
    public void close() {
        log.close();
        if (publisher != null) {
            publisher.close();
        }
    }
}
