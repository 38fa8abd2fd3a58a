package io.jobpulse.notifications;

import io.jobpulse.events.Endpoint;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.outbound.OutboundRequests;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.context.event.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Properties;

/**
 * Runs the {@link DeliveryTopology} for the lifetime of the application, as the topology role
 * runs the jobs' (its own Streams application, its stores under the same state directory).
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.NOTIFICATIONS)
public class NotificationsRuntime implements ApplicationEventListener<StartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(NotificationsRuntime.class);

    private final Topology topology;
    private final KafkaStreams streams;
    private final String applicationId;

    /**
     * @param stateDir       {@code jobpulse.topology.state-dir}: Streams keeps each application's stores in a folder of
     *                       its own under it
     * @param instanceId     {@code jobpulse.consumers.instance-id}: a static member {@code <instance-id>.<application id>}
     * @param sessionTimeout {@code jobpulse.consumers.session-timeout}, as every group member's
     */
    public NotificationsRuntime(NotificationsConfiguration config, OutboundRequests outbound, MeterRegistry metrics,
                                @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers,
                                @Property(name = "jobpulse.topology.state-dir") String stateDir,
                                @Property(name = "jobpulse.consumers.instance-id") @Nullable String instanceId,
                                @Property(name = "jobpulse.consumers.session-timeout", defaultValue = "10s") Duration sessionTimeout) {
        this.applicationId = config.applicationId();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        // At least once: a delivery may be sent twice after a crash (receivers dedupe by webhook-id),
        // never lost; the deliveries written by the fan-out are seen by the scheduler without waiting for a commit.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        // The punctuation that starts due deliveries runs between polls: poll no longer than it waits.
        props.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(config.sendInterval().toMillis()));
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Only committed changes are told of: the topology's aborted transactions are redone, and
        // an uncommitted change read before its abort would be delivered twice (or, if the redo
        // differed, once wrongly).
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), Long.toString(sessionTimeout.toMillis()));
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                Long.toString(Math.min(500, sessionTimeout.toMillis() / 3)));
        if (instanceId != null && !instanceId.isBlank()) {
            props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId + "." + applicationId);
        }
        props.putAll(config.streams());
        WebhookSender sender = new WebhookSender(outbound, config.requestTimeout(), config.responseExcerpt());
        this.topology = DeliveryTopology.build(config, sender, Clock.systemUTC(), new DeliveryMetrics(metrics));
        this.streams = new KafkaStreams(topology, props);
    }

    /**
     * The deliveries' Streams client, for the instance's state metrics and for health (its state, and a restore
     * listener set before it starts); not started before the application is.
     */
    public KafkaStreams streams() {
        return streams;
    }

    /** What {@link #streams()} runs: its stores, for the instance's state metrics. */
    public Topology topology() {
        return topology;
    }

    /** The Streams application id, which is also its consumer group. */
    public String applicationId() {
        return applicationId;
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("notifications stream thread failed; replacing it", e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        LOG.info("notifications {} started", applicationId);
    }

    /** Whether this instance's deliveries know the endpoint at this version or a later one. */
    boolean knows(String endpointId, long version) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        try {
            ReadOnlyKeyValueStore<String, Endpoint> endpoints = streams.store(
                    StoreQueryParameters.fromNameAndType(DeliveryTopology.ENDPOINTS, QueryableStoreTypes.keyValueStore()));
            Endpoint known = endpoints.get(endpointId);
            return known != null && known.version() >= version;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @PreDestroy
    void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10)));
    }
}
