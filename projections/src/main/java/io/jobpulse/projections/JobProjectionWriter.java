package io.jobpulse.projections;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.StatusChange;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes batches of status changes in one transaction, one statement per table. The jobs upsert is
 * guarded by version, so an older or repeated change never overwrites a newer one, and it sees
 * only the newest change of each job in the batch (one row per key per statement); change rows
 * are keyed by (job, version) and inserted once. Every write first takes the projection lock in
 * shared mode, so that a rebuild can swap tables between two batches (see {@link ProjectionTables}).
 *
 * <p>Each statement takes its rows as one array per column, unnested on the server: the text of
 * the statement is the same whatever the batch's size, so PostgreSQL parses and plans it once per
 * connection, and a batch binds a dozen parameters rather than a dozen per row. (The profile
 * showed the multi-row {@code VALUES} form it replaces, a new statement for each size with
 * thousands of parameters, spending its time in binding and in PostgreSQL's parsing.)
 */
@Singleton
public class JobProjectionWriter {

    private static final String UPSERT_JOBS = """
            INSERT INTO %1$s (id, owner, type, status, progress, tags, attempt, version, created_at, updated_at, finished_at, snapshot,
                              batch_id)
            SELECT id, owner, type, status, progress, tags::text[], attempt, version, created_at, updated_at, finished_at, snapshot::jsonb,
                   batch_id
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::float8[], ?::text[], ?::int4[], ?::int8[],
                        ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::text[])
                AS row (id, owner, type, status, progress, tags, attempt, version, created_at, updated_at, finished_at, snapshot,
                        batch_id)
            ON CONFLICT (id) DO UPDATE SET
                owner = EXCLUDED.owner, type = EXCLUDED.type, status = EXCLUDED.status, progress = EXCLUDED.progress,
                tags = EXCLUDED.tags, attempt = EXCLUDED.attempt, version = EXCLUDED.version,
                created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, finished_at = EXCLUDED.finished_at,
                snapshot = EXCLUDED.snapshot, batch_id = EXCLUDED.batch_id
            WHERE %1$s.version < EXCLUDED.version""";
    private static final String INSERT_CHANGES = """
            INSERT INTO %s (job_id, version, attempt, status, previous_status, progress, at, cause_event_id,
                            cause_event_type, changed, summary)
            SELECT job_id, version, attempt, status, previous_status, progress, at, cause_event_id,
                   cause_event_type, changed::text[], summary
            FROM unnest(?::text[], ?::int8[], ?::int4[], ?::text[], ?::text[], ?::float8[], ?::timestamptz[], ?::text[],
                        ?::text[], ?::text[], ?::text[])
                AS row (job_id, version, attempt, status, previous_status, progress, at, cause_event_id,
                        cause_event_type, changed, summary)
            ON CONFLICT (job_id, version) DO NOTHING
            RETURNING job_id || '/' || version""";

    private final TransactionOperations<Connection> transactions;

    public JobProjectionWriter(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /** Projects the changes into the live tables; returns those that were not there yet. */
    public List<StatusChange> write(List<StatusChange> changes) {
        return write(changes, ProjectionTables.LIVE);
    }

    /**
     * Projects the changes into the given tables, in one transaction; returns those whose change row this
     * write inserted (not those already there, as after a replayed batch), in their order.
     */
    public List<StatusChange> write(List<StatusChange> changes, ProjectionTables tables) {
        if (changes.isEmpty()) {
            return List.of();
        }
        Set<String> inserted = transactions.executeWrite(status -> {
            Connection connection = status.getConnection();
            ProjectionTables.lockShared(connection);
            upsertJobs(connection, latestPerJob(changes), tables.jobs());
            return insertChanges(connection, changes, tables.changes());
        });
        return changes.stream().filter(change -> inserted.contains(change.jobId() + "/" + change.version())).toList();
    }

    /** Only the newest change of each job in a batch reaches the jobs upsert (one row per key per statement). */
    static List<StatusChange> latestPerJob(List<StatusChange> changes) {
        Map<String, StatusChange> latest = new LinkedHashMap<>();
        for (StatusChange change : changes) {
            latest.merge(change.jobId(), change, (a, b) -> a.version() >= b.version() ? a : b);
        }
        return new ArrayList<>(latest.values());
    }

    private static void upsertJobs(Connection connection, List<StatusChange> changes, String table) throws SQLException {
        Columns columns = new Columns(connection, 13, changes.size());
        for (StatusChange change : changes) {
            JobState job = change.job();
            columns.text(0, job.id()).text(1, job.owner()).text(2, job.type()).text(3, job.status().wireName())
                    .number(4, job.progress()).text(5, ArrayLiteral.of(job.tags())).number(6, job.attempt())
                    .number(7, job.version()).time(8, job.createdAt()).time(9, job.updatedAt()).time(10, job.finishedAt())
                    .text(11, new String(JobJson.write(job), StandardCharsets.UTF_8)).text(12, job.batchId()).next();
        }
        columns.execute(UPSERT_JOBS.formatted(table), "text", "text", "text", "text", "float8", "text", "int4", "int8",
                "text", "text", "text", "text", "text");
    }

    /** Inserts the change rows that are not there yet; returns their keys, {@code jobId/version}. */
    private static Set<String> insertChanges(Connection connection, List<StatusChange> changes, String table) throws SQLException {
        Columns columns = new Columns(connection, 11, changes.size());
        for (StatusChange change : changes) {
            columns.text(0, change.jobId()).number(1, change.version()).number(2, change.job().attempt())
                    .text(3, change.status().wireName())
                    .text(4, change.previousStatus() == null ? null : change.previousStatus().wireName())
                    .number(5, change.job().progress()).time(6, change.at()).text(7, change.causeEventId())
                    .text(8, change.causeEventType()).text(9, ArrayLiteral.of(change.changed()))
                    .text(10, ChangeSummary.of(change)).next();
        }
        return new HashSet<>(columns.returning(INSERT_CHANGES.formatted(table), "text", "int8", "int4", "text", "text", "float8",
                "text", "text", "text", "text", "text"));
    }
}
