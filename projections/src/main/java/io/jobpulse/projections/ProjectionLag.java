package io.jobpulse.projections;

import io.jobpulse.consumers.ConsumerGroupLag;
import io.jobpulse.consumers.GroupMembership;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.events.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.time.Duration;
import java.util.Map;

/**
 * The projections' lag, the gauge {@value #METRIC}: the records of {@code jobpulse.job-status}
 * that the status projectors' group has not yet committed, read from the broker every
 * {@code jobpulse.consumers.lag-interval} ({@link ConsumerGroupLag}). It is the group's lag, not
 * this instance's: every projections instance reports the same number, and it keeps growing while
 * no projector runs at all, which a lag taken from live consumers could never show.
 */
@Context
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
public class ProjectionLag {

    public static final String METRIC = "jobpulse.projections.lag";

    private final Admin admin;
    private final ConsumerGroupLag lag;

    public ProjectionLag(MeterRegistry metrics, GroupMembership membership,
                         @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers,
                         @Property(name = "jobpulse.projections.group-id", defaultValue = "jobpulse-projections") String group) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        this.lag = ConsumerGroupLag.start(admin, group, Topics.JOB_STATUS_NAME, membership.lagInterval());
        Gauge.builder(METRIC, lag, ConsumerGroupLag::value)
                .tags(Tags.of("topic", Topics.JOB_STATUS_NAME))
                .description("records of jobpulse.job-status the projections' consumer group has not yet projected")
                .register(metrics);
    }

    @PreDestroy
    void close() {
        lag.close();
        admin.close(Duration.ofSeconds(2));
    }
}
