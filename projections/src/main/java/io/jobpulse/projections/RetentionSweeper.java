package io.jobpulse.projections;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Removes jobs that finished longer ago than their retention from the read model: the job's row,
 * its changes and its copied events, in transactions of at most {@link #BATCH} jobs. Only the read
 * model forgets; the log keeps every event (see docs/operations.md for how this plays with topic
 * retention). A job that is retried after it was swept comes back with its new changes only.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
public class RetentionSweeper {

    static final int BATCH = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);
    private static final String SWEEP = """
            WITH gone AS (
                DELETE FROM jobs WHERE id IN (
                    SELECT id FROM jobs WHERE finished_at < ? AND %s LIMIT %d)
                RETURNING id),
            changes AS (DELETE FROM job_changes WHERE job_id IN (SELECT id FROM gone)),
            events AS (DELETE FROM job_events WHERE job_id IN (SELECT id FROM gone))
            SELECT count(*) FROM gone""";

    private final ProjectionsConfiguration config;
    private final TransactionOperations<Connection> transactions;

    public RetentionSweeper(ProjectionsConfiguration config, TransactionOperations<Connection> transactions) {
        this.config = config;
        this.transactions = transactions;
    }

    @Scheduled(fixedDelay = "${jobpulse.projections.retention-interval:1h}", initialDelay = "1m")
    void sweep() {
        long removed = sweep(Instant.now());
        if (removed > 0) {
            LOG.info("retention: {} finished jobs left the read model", removed);
        }
    }

    /** Removes every job finished before its retention as of {@code now}; returns how many. */
    public long sweep(Instant now) {
        long removed = 0;
        for (var type : config.retentionByType().entrySet()) {
            removed += sweep("type = ?", now.minus(type.getValue()), type.getKey());
        }
        String[] ownRetention = config.retentionByType().keySet().toArray(String[]::new);
        return removed + sweep("type <> ALL(?)", now.minus(config.retention()), ownRetention);
    }

    private long sweep(String typeCondition, Instant finishedBefore, Object type) {
        String sql = SWEEP.formatted(typeCondition, BATCH);
        long total = 0;
        long removed;
        do {
            removed = transactions.executeWrite(status -> {
                Connection connection = status.getConnection();
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    statement.setTimestamp(1, Timestamp.from(finishedBefore));
                    if (type instanceof String[] types) {
                        statement.setArray(2, connection.createArrayOf("text", types));
                    } else {
                        statement.setString(2, (String) type);
                    }
                    try (ResultSet result = statement.executeQuery()) {
                        result.next();
                        return result.getLong(1);
                    }
                }
            });
            total += removed;
        } while (removed == BATCH);
        return total;
    }
}
