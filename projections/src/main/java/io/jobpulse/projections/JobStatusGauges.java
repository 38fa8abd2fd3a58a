package io.jobpulse.projections;

import io.jobpulse.events.JobStatus;
import io.jobpulse.events.Roles;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gauges of jobs as they are now, read from the read model: {@value #BY_STATUS} (jobs per status) and
 * {@value #STUCK} (running jobs with no change for longer than {@code jobpulse.metrics.stuck-after}, per type).
 * One query, one scan of {@code jobs}, every {@code jobpulse.metrics.refresh}; a scrape reads the last
 * reading, never the database. Every projections instance reports the same numbers (it is the one read model),
 * so take their {@code max}, not their sum. A reading that fails (PostgreSQL away) keeps the previous one.
 * The numbers are as current as the read model: the projectors' {@code jobpulse_consumer_group_lag} behind the topology.
 */
@Context
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
public class JobStatusGauges {

    static final String BY_STATUS = "jobpulse.jobs.by.status";
    static final String STUCK = "jobpulse.jobs.stuck";

    private static final Logger LOG = LoggerFactory.getLogger(JobStatusGauges.class);
    private static final String COUNTS = """
            SELECT status, type, count(*), count(*) FILTER (WHERE status = 'running' AND updated_at < ?)
            FROM jobs GROUP BY status, type""";

    private final TransactionOperations<Connection> transactions;
    private final MetricsConfiguration config;
    private final TypeLabels types;
    private final MultiGauge byStatus;
    private final MultiGauge stuck;
    /** The types that have had stuck jobs: their series stay, at 0 when none is stuck. */
    private final Set<String> stuckSeen = ConcurrentHashMap.newKeySet();

    public JobStatusGauges(MeterRegistry registry, TransactionOperations<Connection> transactions, MetricsConfiguration config,
                           TypeLabels types) {
        this.transactions = transactions;
        this.config = config;
        this.types = types;
        this.byStatus = MultiGauge.builder(BY_STATUS).description("jobs in each status now, in the read model").register(registry);
        this.stuck = MultiGauge.builder(STUCK)
                .description("running jobs with no change for longer than jobpulse.metrics.stuck-after").register(registry);
        // Every status and no stuck job until the first reading: a series that is absent cannot be alerted on.
        publish(new EnumMap<>(JobStatus.class), Map.of());
    }

    @Scheduled(fixedDelay = "${jobpulse.metrics.refresh:15s}", initialDelay = "1s")
    void refresh() {
        try {
            read(Instant.now().minus(config.stuckAfter()));
        } catch (RuntimeException e) {
            LOG.warn("could not read the job gauges from PostgreSQL, keeping the last reading: {}", e.getMessage());
        }
    }

    private void read(Instant stuckBefore) {
        Map<JobStatus, Long> statuses = new EnumMap<>(JobStatus.class);
        Map<String, Long> stuckByType = new HashMap<>();
        transactions.executeRead(status -> {
            try (PreparedStatement query = status.getConnection().prepareStatement(COUNTS)) {
                query.setTimestamp(1, Timestamp.from(stuckBefore));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        long count = rows.getLong(3);
                        JobStatus.fromWireName(rows.getString(1)).ifPresent(s -> statuses.merge(s, count, Long::sum));
                        if (rows.getLong(4) > 0) {
                            stuckByType.merge(types.of(rows.getString(2)), rows.getLong(4), Long::sum);
                        }
                    }
                }
            }
            return null;
        });
        publish(statuses, stuckByType);
    }

    private void publish(Map<JobStatus, Long> statuses, Map<String, Long> stuckByType) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (JobStatus status : JobStatus.values()) {
            rows.add(MultiGauge.Row.of(Tags.of("status", status.wireName()), statuses.getOrDefault(status, 0L)));
        }
        byStatus.register(rows, true);
        // A type whose jobs are no longer stuck keeps a series at 0 rather than vanishing, so that an alert resolves.
        Map<String, Long> all = new HashMap<>();
        stuckSeen.forEach(type -> all.put(type, 0L));
        all.putAll(stuckByType);
        stuckSeen.addAll(stuckByType.keySet());
        List<MultiGauge.Row<?>> stuckRows = new ArrayList<>();
        all.forEach((type, count) -> stuckRows.add(MultiGauge.Row.of(Tags.of("type", type), count)));
        stuck.register(stuckRows, true);
    }
}
