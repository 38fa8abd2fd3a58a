package io.jobpulse.projections;

import io.jobpulse.events.BatchChange;
import io.jobpulse.events.BatchCounts;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.JobJson;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes batches of batch changes into {@code batches}, in one transaction and one statement. Every
 * change carries the whole aggregate, so only the newest change of each batch in a poll is written
 * (one row per key per statement), and the upsert is guarded by version: an older or repeated change
 * never overwrites a newer one, and a replayed poll changes nothing. Rows go as one array per column,
 * unnested on the server, as in {@link JobProjectionWriter}.
 */
@Singleton
public class BatchProjectionWriter {

    private static final String UPSERT = """
            INSERT INTO batches (id, owner, status, queued, running, succeeded, failed, canceled, expired, total, done, progress,
                                 tags, metadata, opened_at, closed_at, canceled_at, first_started_at, last_finished_at, version,
                                 updated_at, snapshot)
            SELECT id, owner, status, queued, running, succeeded, failed, canceled, expired, total, done, progress,
                   tags::text[], metadata::jsonb, opened_at, closed_at, canceled_at, first_started_at, last_finished_at, version,
                   updated_at, snapshot::jsonb
            FROM unnest(?::text[], ?::text[], ?::text[], ?::int4[], ?::int4[], ?::int4[], ?::int4[], ?::int4[], ?::int4[],
                        ?::int4[], ?::int4[], ?::float8[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[],
                        ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::int8[], ?::timestamptz[], ?::text[])
                AS row (id, owner, status, queued, running, succeeded, failed, canceled, expired, total, done, progress,
                        tags, metadata, opened_at, closed_at, canceled_at, first_started_at, last_finished_at, version,
                        updated_at, snapshot)
            ON CONFLICT (id) DO UPDATE SET
                owner = EXCLUDED.owner, status = EXCLUDED.status, queued = EXCLUDED.queued, running = EXCLUDED.running,
                succeeded = EXCLUDED.succeeded, failed = EXCLUDED.failed, canceled = EXCLUDED.canceled,
                expired = EXCLUDED.expired, total = EXCLUDED.total, done = EXCLUDED.done, progress = EXCLUDED.progress,
                tags = EXCLUDED.tags, metadata = EXCLUDED.metadata, opened_at = EXCLUDED.opened_at,
                closed_at = EXCLUDED.closed_at, canceled_at = EXCLUDED.canceled_at,
                first_started_at = EXCLUDED.first_started_at, last_finished_at = EXCLUDED.last_finished_at,
                version = EXCLUDED.version, updated_at = EXCLUDED.updated_at, snapshot = EXCLUDED.snapshot
            WHERE batches.version < EXCLUDED.version""";

    private final TransactionOperations<Connection> transactions;

    public BatchProjectionWriter(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /** Projects the changes in one transaction; returns the number of batches whose row it inserted or moved forward. */
    public int write(List<BatchChange> changes) {
        if (changes.isEmpty()) {
            return 0;
        }
        List<BatchState> latest = latestPerBatch(changes);
        return transactions.executeWrite(status -> upsert(status.getConnection(), latest));
    }

    /** The aggregate of each batch's newest change in the poll. */
    static List<BatchState> latestPerBatch(List<BatchChange> changes) {
        Map<String, BatchChange> latest = new LinkedHashMap<>();
        for (BatchChange change : changes) {
            latest.merge(change.batchId(), change, (a, b) -> a.version() >= b.version() ? a : b);
        }
        return new ArrayList<>(latest.values().stream().map(BatchChange::batch).toList());
    }

    private static int upsert(Connection connection, List<BatchState> batches) throws SQLException {
        Columns columns = new Columns(connection, 22, batches.size());
        for (BatchState batch : batches) {
            BatchCounts counts = batch.counts();
            columns.text(0, batch.id()).text(1, batch.owner()).text(2, batch.status().wireName())
                    .number(3, counts.queued()).number(4, counts.running()).number(5, counts.succeeded())
                    .number(6, counts.failed()).number(7, counts.canceled()).number(8, counts.expired())
                    .number(9, batch.total()).number(10, batch.done()).number(11, batch.progress())
                    .text(12, ArrayLiteral.of(batch.tags())).text(13, json(batch.metadata()))
                    .time(14, batch.openedAt()).time(15, batch.closedAt()).time(16, batch.canceledAt())
                    .time(17, batch.firstStartedAt()).time(18, batch.lastFinishedAt()).number(19, batch.version())
                    .time(20, batch.updatedAt()).text(21, json(batch)).next();
        }
        return columns.execute(UPSERT, "text", "text", "text", "int4", "int4", "int4", "int4", "int4", "int4", "int4", "int4",
                "float8", "text", "text", "text", "text", "text", "text", "text", "int8", "text", "text");
    }

    private static String json(Object value) {
        return new String(JobJson.write(value), StandardCharsets.UTF_8);
    }
}
