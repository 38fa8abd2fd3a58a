package io.jobpulse.app;

import io.jobpulse.consumers.ConsumerGroupLag;
import io.jobpulse.consumers.GroupMembership;
import io.jobpulse.events.KafkaSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.env.Environment;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gauge {@value #METRIC}{@code {group, topic}}: the records of each topic that each of Jobpulse's
 * consumer groups ({@link JobpulseGroups}) has not yet committed, read from the broker
 * ({@link ConsumerGroupLag}) every {@code jobpulse.consumers.lag-interval} on one background thread, each
 * reading bounded by a timeout. It is the group's lag, not this instance's: every instance, whatever its roles,
 * reports the same cluster-wide number (take {@code max()} over instances, never {@code sum()}), and it keeps
 * growing while no member runs at all, which a lag taken from live consumers could never show. NaN until the
 * first reading succeeds; a reading that fails (the broker is away) keeps the previous one.
 */
@Context
public class ConsumerGroupLagMetrics {

    public static final String METRIC = "jobpulse.consumer.group.lag";
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroupLagMetrics.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final MeterRegistry metrics;
    private final Admin admin;
    private final List<ConsumerGroupLag.Group> groups;
    private final Map<String, Double> lags = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("jobpulse-group-lag").daemon().factory());

    public ConsumerGroupLagMetrics(MeterRegistry metrics, GroupMembership membership, Environment environment,
                                   @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers) {
        this.groups = JobpulseGroups.of(property -> environment.getProperty(property, String.class).orElse(null)).stream()
                .filter(JobpulseGroups.Group::keepsOffsets).map(JobpulseGroups.Group::lag).toList();
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()));
        this.metrics = metrics;
        groups.forEach(group -> group.topics().forEach(topic -> gauge(group.id(), topic)));
        reader.scheduleWithFixedDelay(this::refresh, 0, membership.lagInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String key(String group, String topic) {
        return group + "\n" + topic;
    }

    /** A series per group and topic: those the group reads from the start, and any other it is seen to commit on. */
    private void gauge(String group, String topic) {
        String key = key(group, topic);
        if (!registered.add(key)) {
            return;
        }
        Gauge.builder(METRIC, () -> lags.getOrDefault(key, Double.NaN))
                .tags(Tags.of("group", group, "topic", topic))
                .description("records of the topic the consumer group has not yet committed, the same on every instance")
                .register(metrics);
    }

    private void refresh() {
        try {
            ConsumerGroupLag.read(admin, groups, TIMEOUT).forEach((group, topics) -> topics.forEach((topic, lag) -> {
                lags.put(key(group, topic), (double) lag);
                gauge(group, topic);
            }));
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("cannot read the consumer groups' lag: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("cannot read the consumer groups' lag", e);
        }
    }

    @PreDestroy
    void close() {
        reader.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
