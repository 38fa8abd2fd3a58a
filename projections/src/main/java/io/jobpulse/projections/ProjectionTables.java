package io.jobpulse.projections;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The pair of tables a projection writes: the live ones that queries read, or the fresh ones a
 * rebuild fills beside them.
 *
 * <p>Writers hold the projection lock (a PostgreSQL advisory lock) in shared mode for their
 * transaction; the rebuild takes it exclusively to swap the tables, so no write is in flight
 * during the swap, and a write that waited for it resolves the table names afresh, to the
 * swapped-in tables.
 */
public record ProjectionTables(String jobs, String changes) {

    public static final ProjectionTables LIVE = new ProjectionTables("jobs", "job_changes");
    public static final ProjectionTables REBUILD = new ProjectionTables("jobs_rebuild", "job_changes_rebuild");

    /** "jobpulse" in ASCII: the key of the projection lock. */
    private static final long LOCK_KEY = 0x6a6f6270756c7365L;

    static void lockShared(Connection connection) throws SQLException {
        execute(connection, "SELECT pg_advisory_xact_lock_shared(" + LOCK_KEY + ")");
    }

    static void lockExclusive(Connection connection) throws SQLException {
        execute(connection, "SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
