package io.jobpulse.app;

import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Topic;
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

    /** Every topic of the catalogue, with the retention or compaction it declares. */
    static List<NewTopic> topics(TopicsConfiguration config) {
        return Topics.ALL.stream().map(topic -> new NewTopic(topic.name(), config.partitions(), config.replicationFactor())
                .configs(switch (topic.cleanup()) {
                    case Topic.Cleanup.KeptForever forever -> Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1");
                    case Topic.Cleanup.Compacted compacted -> Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
                    case Topic.Cleanup.KeptFor kept -> Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(kept.retention().toMillis()));
                    case Topic.Cleanup.KeptAsConfigured configured ->
                            Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(config.statusRetention().toMillis()));
                })).toList();
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
