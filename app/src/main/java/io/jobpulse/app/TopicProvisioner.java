package io.jobpulse.app;

import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Topics;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates Jobpulse's topics, if missing, while the application context starts: before any role
 * starts, since Kafka Streams needs its source topics to exist. Existing topics are left as they
 * are; a partition count that differs from the configuration is reported, not changed.
 */
@Context
@Requires(property = "jobpulse.topics.provision", notEquals = "false")
public class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final long TIMEOUT_SECONDS = 30;

    public TopicProvisioner(TopicsConfiguration config, @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers)
            throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS)))) {
            for (NewTopic topic : topics(config)) {
                create(admin, topic);
            }
        }
    }

    static List<NewTopic> topics(TopicsConfiguration config) {
        String forever = "-1";
        return List.of(
                new NewTopic(Topics.JOB_EVENTS.name(), config.partitions(), config.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, forever)),
                new NewTopic(Topics.JOB_STATUS.name(), config.partitions(), config.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(config.statusRetention().toMillis()))),
                new NewTopic(Topics.JOB_EVENTS_REJECTED.name(), config.partitions(), config.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, forever)),
                new NewTopic(Topics.JOB_POLLS.name(), config.partitions(), config.replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(Topics.PROVIDER_REQUESTS.name(), config.partitions(), config.replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                // Routing is quick or fails within minutes; a week is for inspection.
                new NewTopic(Topics.PROVIDER_CALLBACKS.name(), config.partitions(), config.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()))));
    }

    private static void create(Admin admin, NewTopic topic) throws InterruptedException {
        try {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.info("created topic {} ({} partitions)", topic.name(), topic.numPartitions());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + topic.name() + ": " + e.getCause().getMessage(), e);
            }
            reportDrift(admin, topic);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT_SECONDS
                    + " s while creating topic " + topic.name() + "; is kafka.bootstrap.servers right?", e);
        }
    }

    private static void reportDrift(Admin admin, NewTopic topic) throws InterruptedException {
        try {
            TopicDescription existing = admin.describeTopics(List.of(topic.name())).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic.name());
            if (existing.partitions().size() != topic.numPartitions()) {
                LOG.warn("topic {} has {} partitions, the configuration says {}; it is left as it is",
                        topic.name(), existing.partitions().size(), topic.numPartitions());
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cannot describe topic {}: {}", topic.name(), e.toString());
        }
    }
}
