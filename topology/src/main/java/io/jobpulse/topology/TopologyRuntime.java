package io.jobpulse.topology;

import io.jobpulse.events.JobLimits;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.TraceHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.jobpulse.events.Roles;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.Topics;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.annotation.Nullable;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the {@link JobTopology} for the lifetime of the application: started once the context is
 * up (topics exist by then), closed on shutdown, leaving the group so that a restart is not held
 * up by the old member's session.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.TOPOLOGY)
@Requires(property = TopologyRuntime.ENABLED, notEquals = "false")
public class TopologyRuntime implements ApplicationEventListener<StartupEvent> {

    /** Off in a process that only replays the topology ({@code jobpulse replay topology}). */
    public static final String ENABLED = "jobpulse.topology.streams-enabled";

    private static final Logger LOG = LoggerFactory.getLogger(TopologyRuntime.class);
    /**
     * The main consumer's longest heartbeat interval, as every other group's (GroupMembership in the
     * consumers module): members learn of a rebalance from a heartbeat's answer, and the topology
     * commits nothing, so emits nothing, until every member has rejoined.
     */
    private static final long MAX_HEARTBEAT_MS = 500;

    private final Topology topology;
    private final KafkaStreams streams;
    private final Admin admin;
    private final PartitionTails tails;
    private final String applicationId;
    private final HostInfo self;

    /**
     * @param instanceId     {@code jobpulse.consumers.instance-id}: without a {@code jobpulse.topology.instance-id},
     *                       the main consumer's {@code group.instance.id} is {@code <instance-id>.<application id>}, so
     *                       that one setting makes every group of the instance static
     * @param sessionTimeout {@code jobpulse.consumers.session-timeout}, the session of the main
     *                       consumer as of every group member's, unless the Streams properties set one
     * @param httpPort       {@code micronaut.server.port}: with {@link TopologyConfiguration#advertisedHost()}, where other
     *                       instances read the jobs this one hosts; a random port ({@code -1}) leaves reads local
     */
    public TopologyRuntime(TopologyConfiguration config, JobLimits limits,
                      @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers,
                      @Property(name = "jobpulse.consumers.instance-id") @Nullable String instanceId,
                      @Property(name = "jobpulse.consumers.session-timeout", defaultValue = "10s") Duration sessionTimeout,
                      @Property(name = "micronaut.server.port", defaultValue = "8080") int httpPort,
                      OpenTelemetry telemetry) {
        this.applicationId = config.applicationId();
        this.self = httpPort > 0 ? new HostInfo(advertisedHost(config), httpPort) : null;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        this.tails = new PartitionTails(bootstrapServers, applicationId);
        JobLimits effective = effectiveLimits(admin, applicationId, limits, config);
        Properties props = streamsProperties(config, bootstrapServers);
        String staticMember = StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        if (!props.containsKey(staticMember) && instanceId != null && !instanceId.isBlank()) {
            props.put(staticMember, instanceId + "." + applicationId);
        }
        String session = StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        if (!props.containsKey(session) && !props.containsKey(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG))
                && !props.containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)) {
            props.put(session, Long.toString(sessionTimeout.toMillis()));
            props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                    Long.toString(Math.min(MAX_HEARTBEAT_MS, sessionTimeout.toMillis() / 3)));
        }
        props.put(DeadLetters.MAX_RECORD_BYTES, Integer.toString(effective.maxRecordBytes()));
        if (self != null && !props.containsKey(StreamsConfig.APPLICATION_SERVER_CONFIG)) {
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        }
        if (self != null && !props.containsKey(StreamsConfig.CLIENT_ID_CONFIG)) {
            // The group's members then name the instance's HTTP address, which is how ./jobpulse status finds it.
            props.put(StreamsConfig.CLIENT_ID_CONFIG, applicationId + "@" + self.host() + ":" + self.port());
        }
        this.topology = JobTopology.build(config.deadlineCheckInterval(), JobTopology.Mode.LIVE, effective, Set.of(),
                telemetry.getTracer(TraceHeaders.INSTRUMENTATION));
        this.streams = new KafkaStreams(topology, props);
    }

    /**
     * The limits, with the maximum record size lowered to what Kafka takes on the topics the topology
     * writes ({@code max.message.bytes} of those that exist) and from its producer
     * ({@code max.request.size}), if that is less than configured. A record larger than Kafka takes
     * would abort the topology's transaction at every retry; measured against this, it is refused
     * instead. If the topics cannot be described, the configured limits stand.
     */
    public static JobLimits effectiveLimits(Admin admin, String applicationId, JobLimits limits, TopologyConfiguration config) {
        long allowed = Long.parseLong(config.streams().getOrDefault(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                config.streams().getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1048576")));
        List<String> written = List.of(Topics.JOB_STATUS_NAME, Topics.JOB_EVENTS_REJECTED_NAME, Topics.JOB_POLLS_NAME,
                Topics.JOB_EVENTS_NAME, Topics.PROVIDER_REQUESTS_NAME, applicationId + "-" + StateStores.JOB_STATE + "-changelog");
        try {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<ConfigResource> resources = written.stream().filter(existing::contains)
                    .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
            for (Config described : admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS).values()) {
                ConfigEntry entry = described.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (entry != null && entry.value() != null) {
                    allowed = Math.min(allowed, Long.parseLong(entry.value()));
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cannot read the topics' max.message.bytes ({}); records are bounded by the configured {} bytes",
                    e.toString(), limits.maxRecordBytes());
            return limits;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return limits;
        }
        if (allowed < limits.maxRecordBytes()) {
            LOG.info("Kafka takes records of at most {} bytes on the topology's topics; records are bounded by that,"
                    + " not the configured {} (jobpulse.job-limits.max-record-bytes)", allowed, limits.maxRecordBytes());
            return limits.withMaxRecordBytes((int) allowed);
        }
        return limits;
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
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.toString(config.standbyReplicas()));
        // One record that cannot be processed or written is rejected and skipped, never retried forever.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, UnprocessableRecords.class.getName());
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, UnwritableRecords.class.getName());
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
        LOG.info("topology {} started{}", applicationId, self == null ? "" : "; other instances read the jobs it hosts at " + self.host() + ":" + self.port());
    }

    /** The configured host, or the address this machine's name resolves to. */
    private static String advertisedHost(TopologyConfiguration config) {
        if (config.advertisedHost() != null && !config.advertisedHost().isBlank()) {
            return config.advertisedHost().strip();
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            LOG.warn("this machine's name does not resolve ({}); other instances read jobs hosted here at 127.0.0.1:"
                    + " set jobpulse.topology.advertised-host (JOBPULSE_ADVERTISED_HOST)", e.getMessage());
            return "127.0.0.1";
        }
    }

    /** Where other instances reach this one's HTTP port ({@code application.server}), or null when reads stay local. */
    public HostInfo self() {
        return self;
    }

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

    Admin admin() {
        return admin;
    }

    PartitionTails tails() {
        return tails;
    }

    @PreDestroy
    void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10)));
        admin.close(Duration.ofSeconds(2));
        tails.close();
    }
}
