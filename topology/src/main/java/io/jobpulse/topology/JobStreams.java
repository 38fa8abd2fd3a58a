package io.jobpulse.topology;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Runs the {@link JobTopology} for the lifetime of the application: started once the context is
 * up (topics exist by then), closed on shutdown, leaving the group so that a restart is not held
 * up by the old member's session.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.TOPOLOGY)
@Requires(property = JobStreams.ENABLED, notEquals = "false")
public class JobStreams implements ApplicationEventListener<StartupEvent> {

    /** Off in a process that only replays the topology ({@code jobpulse replay topology}). */
    public static final String ENABLED = "jobpulse.topology.streams-enabled";

    private static final Logger LOG = LoggerFactory.getLogger(JobStreams.class);

    private final KafkaStreams streams;
    private final Admin admin;
    private final String applicationId;

    public JobStreams(TopologyConfiguration config,
                      @Property(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.applicationId = config.applicationId();
        this.streams = new KafkaStreams(JobTopology.build(config.deadlineCheckInterval()), streamsProperties(config, bootstrapServers));
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    static Properties streamsProperties(TopologyConfiguration config, String bootstrapServers) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitInterval().toMillis()));
        // An idle stream thread blocks in poll for poll.ms before it gets to commit what it just
        // processed; with exactly-once, that wait would be added to every change's latency.
        props.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(config.commitInterval().toMillis()));
        // A change is visible downstream only at commit; caching and lingering would only add delay.
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        if (config.instanceId() != null) {
            props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), config.instanceId());
        }
        props.putAll(config.streams());
        return props;
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; replacing it", e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        LOG.info("topology {} started", applicationId);
    }

    public KafkaStreams streams() {
        return streams;
    }

    Admin admin() {
        return admin;
    }

    String applicationId() {
        return applicationId;
    }

    @PreDestroy
    void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10)));
        admin.close(Duration.ofSeconds(2));
    }
}
