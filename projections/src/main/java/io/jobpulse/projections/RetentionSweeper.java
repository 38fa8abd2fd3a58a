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
 * its changes and its copied events, in transactions of at most {@link #BATCH} jobs; and batches
 * that finished longer ago than {@code jobpulse.projections.retention}, their rows only (their jobs
 * go by their own retention). Only the read model forgets; the log keeps every event (see
 * docs/operations.md for how this plays with topic retention). A job that is retried after it was
 * swept comes back with its new changes only, and so does its batch.
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
    /** A batch is finished once closed or canceled with every job ended; it finished at the latest of those times. */
    private static final String SWEEP_BATCHES = """
            WITH gone AS (
                DELETE FROM batches WHERE id IN (
                    SELECT id FROM batches WHERE status IN ('succeeded', 'failed', 'partial', 'canceled')
                        AND greatest(last_finished_at, closed_at, canceled_at) < ? LIMIT %d)
                RETURNING id)
            SELECT count(*) FROM gone""".formatted(BATCH);

    private final ProjectionsConfiguration config;
    private final TransactionOperations<Connection> transactions;

    public RetentionSweeper(ProjectionsConfiguration config, TransactionOperations<Connection> transactions) {
        this.config = config;
        this.transactions = transactions;
    }

    @Scheduled(fixedDelay = "${jobpulse.projections.retention-interval:1h}", initialDelay = "1m")
    void sweep() {
        Instant now = Instant.now();
        long removed = sweep(now);
        long batches = sweepBatches(now);
        if (removed > 0 || batches > 0) {
            LOG.info("retention: {} finished jobs and {} finished batches left the read model", removed, batches);
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

    /** Removes every batch finished before the retention as of {@code now}; returns how many. */
    public long sweepBatches(Instant now) {
        return deleteInBatches(SWEEP_BATCHES, now.minus(config.retention()), null);
    }

    private long sweep(String typeCondition, Instant finishedBefore, Object type) {
        return deleteInBatches(SWEEP.formatted(typeCondition, BATCH), finishedBefore, type);
    }

    private long deleteInBatches(String sql, Instant finishedBefore, Object type) {
        long total = 0;
        long removed;
        do {
            removed = transactions.executeWrite(status -> {
                Connection connection = status.getConnection();
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    statement.setTimestamp(1, Timestamp.from(finishedBefore));
                    if (type instanceof String[] types) {
                        statement.setArray(2, connection.createArrayOf("text", types));
                    } else if (type != null) {
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
