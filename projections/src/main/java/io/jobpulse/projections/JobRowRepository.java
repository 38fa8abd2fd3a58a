package io.jobpulse.projections;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import io.micronaut.transaction.annotation.ReadOnly;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The queries of the read model. Fixed queries are declared; the job list, whose condition
 * depends on which filters are given, is built from {@link JobFilter} by {@link NewestFirst} so that
 * each shape of it is plain, index-friendly SQL, and its rows are mapped by Micronaut Data like the others.
 */
@JdbcRepository(dialect = Dialect.POSTGRES)
public abstract class JobRowRepository implements GenericRepository<JobRow, String> {

    private static final String JOB_COLUMNS = "id, owner, type, status, version, created_at, snapshot::text AS snapshot";
    private static final NewestFirst LIST = new NewestFirst(JOB_COLUMNS, "jobs", "created_at");

    private final JdbcOperations jdbc;

    protected JobRowRepository(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    @Query("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = :id")
    public abstract Optional<JobRow> findById(String id);

    /** One page of the owner's jobs under the filter, newest first, starting after the cursor. */
    @ReadOnly
    public List<JobRow> newestFirst(String owner, JobFilter filter, @Nullable PageCursor after, int limit) {
        return LIST.rows(jdbc, filter.where(owner), after, limit, JobRow.class);
    }

    /** The SQL of {@link #newestFirst}, with its parameters (also for checking its plan). */
    public static Condition pageQuery(String owner, JobFilter filter, @Nullable PageCursor after, int limit) {
        return LIST.page(filter.where(owner), after, limit);
    }

    /** How many of the owner's jobs match the filter. */
    @ReadOnly
    public long count(String owner, JobFilter filter) {
        return LIST.count(jdbc, filter.where(owner));
    }

    /** The owner's jobs counted by type and status. */
    @ReadOnly
    public List<StatusCount> countByTypeAndStatus(String owner) {
        return jdbc.prepareStatement("SELECT type, status, count(*) FROM jobs WHERE owner = ? GROUP BY type, status ORDER BY type, status",
                statement -> {
                    statement.setString(1, owner);
                    List<StatusCount> counts = new ArrayList<>();
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            counts.add(new StatusCount(rows.getString(1), rows.getString(2), rows.getLong(3)));
                        }
                    }
                    return counts;
                });
    }

    /** At most {@code limit} projected changes of a job after version {@code afterVersion}, in version order. */
    @ReadOnly
    public List<TimelineEntry> timeline(String jobId, long afterVersion, int limit) {
        return jdbc.prepareStatement("""
                SELECT version, attempt, status, previous_status, progress, at, cause_event_id, cause_event_type, changed, summary
                FROM job_changes WHERE job_id = ? AND version > ? ORDER BY version LIMIT ?""", statement -> {
            statement.setString(1, jobId);
            statement.setLong(2, afterVersion);
            statement.setInt(3, limit);
            List<TimelineEntry> entries = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    entries.add(new TimelineEntry(rows.getLong(1), rows.getInt(2), rows.getString(3), rows.getString(4),
                            rows.getDouble(5), rows.getTimestamp(6).toInstant(), rows.getString(7), rows.getString(8),
                            Arrays.asList((String[]) rows.getArray(9).getArray()), rows.getString(10)));
                }
            }
            return entries;
        });
    }

    /**
     * One page of a job's events as written to the log, applied or not, in the order received,
     * starting strictly after {@code after} (its received time and event id), each with the
     * version it made (null if it made none).
     */
    @ReadOnly
    public List<RawEvent> events(String jobId, @Nullable PageCursor after, int limit) {
        String sql = """
                SELECT e.event_id, e.event_type, e.received_at, e.event::text,
                       (SELECT max(c.version) FROM job_changes c WHERE c.job_id = e.job_id AND c.cause_event_id = e.event_id)
                FROM job_events e WHERE e.job_id = ?""" + (after == null ? "" : " AND (e.received_at, e.event_id) > (?, ?)")
                + " ORDER BY e.received_at, e.event_id LIMIT ?";
        return jdbc.prepareStatement(sql, statement -> {
            int i = 1;
            statement.setString(i++, jobId);
            if (after != null) {
                statement.setTimestamp(i++, Timestamp.from(after.at()));
                statement.setString(i++, after.id());
            }
            statement.setInt(i, limit);
            List<RawEvent> events = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    long version = rows.getLong(5);
                    Long appliedAs = rows.wasNull() ? null : version;
                    events.add(new RawEvent(rows.getString(1), rows.getString(2), rows.getTimestamp(3).toInstant(),
                            JobJson.read(rows.getString(4).getBytes(StandardCharsets.UTF_8), JsonNode.class), appliedAs));
                }
            }
            return events;
        });
    }

    /** How many jobs of one type have one status. */
    public record StatusCount(String type, String status, long count) {
    }

    /** One change in a job's timeline. */
    public record TimelineEntry(long version, int attempt, String status, String previousStatus, double progress, Instant at,
                                String causeEventId, String causeEventType, List<String> changed, String summary) {
    }

    /** One event of a job as it was written to the log, and the version it made (null if none). */
    public record RawEvent(String eventId, String type, Instant receivedAt, JsonNode event, @Nullable Long appliedAs) {
    }
}
