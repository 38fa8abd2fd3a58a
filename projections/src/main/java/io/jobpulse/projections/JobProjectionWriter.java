package io.jobpulse.projections;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.StatusChange;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes batches of status changes as multi-row upserts in one transaction. The jobs upsert is
 * guarded by version, so an older or repeated change never overwrites a newer one; change rows
 * are keyed by (job, version) and inserted once. Every write first takes the projection lock in
 * shared mode, so that a rebuild can swap tables between two batches (see {@link ProjectionTables}).
 */
@Singleton
public class JobProjectionWriter {

    private static final String UPSERT_JOBS_HEAD = """
            INSERT INTO %s (id, owner, type, status, progress, tags, attempt, version, created_at, updated_at, finished_at, snapshot)
            VALUES\s""";
    private static final String UPSERT_JOBS_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)";
    private static final String UPSERT_JOBS_TAIL = """
             ON CONFLICT (id) DO UPDATE SET
                owner = EXCLUDED.owner, type = EXCLUDED.type, status = EXCLUDED.status, progress = EXCLUDED.progress,
                tags = EXCLUDED.tags, attempt = EXCLUDED.attempt, version = EXCLUDED.version,
                created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, finished_at = EXCLUDED.finished_at,
                snapshot = EXCLUDED.snapshot
             WHERE %s.version < EXCLUDED.version""";
    private static final String INSERT_CHANGES_HEAD = """
            INSERT INTO %s (job_id, version, attempt, status, previous_status, progress, at, cause_event_id,
                            cause_event_type, changed, summary)
            VALUES\s""";
    private static final String INSERT_CHANGES_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_CHANGES_TAIL = " ON CONFLICT (job_id, version) DO NOTHING";

    private final TransactionOperations<Connection> transactions;

    public JobProjectionWriter(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /** Projects the changes into the live tables. */
    public void write(List<StatusChange> changes) {
        write(changes, ProjectionTables.LIVE);
    }

    /** Projects the changes into the given tables, in one transaction. */
    public void write(List<StatusChange> changes, ProjectionTables tables) {
        if (changes.isEmpty()) {
            return;
        }
        transactions.executeWrite(status -> {
            Connection connection = status.getConnection();
            ProjectionTables.lockShared(connection);
            upsertJobs(connection, latestPerJob(changes), tables.jobs());
            insertChanges(connection, changes, tables.changes());
            return null;
        });
    }

    /** Only the newest change of each job in a batch reaches the jobs upsert (one row per key per statement). */
    private static Collection<StatusChange> latestPerJob(List<StatusChange> changes) {
        Map<String, StatusChange> latest = new LinkedHashMap<>();
        for (StatusChange change : changes) {
            latest.merge(change.jobId(), change, (a, b) -> a.version() >= b.version() ? a : b);
        }
        return latest.values();
    }

    private static void upsertJobs(Connection connection, Collection<StatusChange> changes, String table) throws SQLException {
        String sql = UPSERT_JOBS_HEAD.formatted(table) + String.join(", ", Collections.nCopies(changes.size(), UPSERT_JOBS_ROW))
                + UPSERT_JOBS_TAIL.formatted(table);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int i = 0;
            for (StatusChange change : changes) {
                JobState job = change.job();
                statement.setString(++i, job.id());
                statement.setString(++i, job.owner());
                statement.setString(++i, job.type());
                statement.setString(++i, job.status().wireName());
                statement.setDouble(++i, job.progress());
                statement.setArray(++i, connection.createArrayOf("text", job.tags().toArray()));
                statement.setInt(++i, job.attempt());
                statement.setLong(++i, job.version());
                statement.setTimestamp(++i, timestamp(job.createdAt()));
                statement.setTimestamp(++i, timestamp(job.updatedAt()));
                statement.setTimestamp(++i, timestamp(job.finishedAt()));
                statement.setString(++i, new String(JobJson.write(job), StandardCharsets.UTF_8));
            }
            statement.executeUpdate();
        }
    }

    private static void insertChanges(Connection connection, List<StatusChange> changes, String table) throws SQLException {
        String sql = INSERT_CHANGES_HEAD.formatted(table) + String.join(", ", Collections.nCopies(changes.size(), INSERT_CHANGES_ROW))
                + INSERT_CHANGES_TAIL;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int i = 0;
            for (StatusChange change : changes) {
                statement.setString(++i, change.jobId());
                statement.setLong(++i, change.version());
                statement.setInt(++i, change.job().attempt());
                statement.setString(++i, change.status().wireName());
                if (change.previousStatus() == null) {
                    statement.setNull(++i, Types.VARCHAR);
                } else {
                    statement.setString(++i, change.previousStatus().wireName());
                }
                statement.setDouble(++i, change.job().progress());
                statement.setTimestamp(++i, timestamp(change.at()));
                statement.setString(++i, change.causeEventId());
                statement.setString(++i, change.causeEventType());
                statement.setArray(++i, connection.createArrayOf("text", change.changed().toArray()));
                statement.setString(++i, ChangeSummary.of(change));
            }
            statement.executeUpdate();
        }
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
