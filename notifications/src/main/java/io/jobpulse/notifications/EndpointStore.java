package io.jobpulse.notifications;

import io.jobpulse.events.DeliveryReport;
import io.jobpulse.events.Endpoint;
import io.jobpulse.events.EndpointChange;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The endpoints and deliveries tables. An endpoint's change is decided under its row's lock, written
 * to Kafka, and only then stored, so two changes of one endpoint never claim the same version and
 * the table never holds a change the log does not. Every write is guarded by version (endpoints)
 * or report time (deliveries), so the projector applying the same records again changes nothing.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.NOTIFICATIONS)
public class EndpointStore {

    /** An endpoint as stored, with what Jobpulse's deliveries found of it. */
    public record Row(Endpoint endpoint, String disabledReason) {
    }

    /** A delivery as listed. */
    public record DeliveryRow(String id, String jobId, long version, String type, String status, int attempts, Integer responseStatus,
                              String responseExcerpt, String error, Instant lastAttemptAt, Instant nextAttemptAt, Long latencyMillis,
                              Instant createdAt, Instant updatedAt, String payload) {
    }

    private static final String ENDPOINT_COLUMNS = "endpoint::text, CASE WHEN disabled_at_version >= version THEN disabled_reason END";
    private static final String UPSERT = "INSERT INTO endpoints (id, owner, version, status, endpoint, created_at) VALUES (?, ?, ?, ?, ?::jsonb, ?)"
            + " ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, version = excluded.version, status = excluded.status,"
            + " endpoint = excluded.endpoint WHERE endpoints.version < excluded.version";

    private final TransactionOperations<Connection> transactions;

    public EndpointStore(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /** Writes a new endpoint's first change to the log, then stores it. */
    Endpoint create(EndpointChange created, NotificationLog log) {
        return transactions.executeWrite(status -> {
            log.write(created);
            upsert(status.getConnection(), created.endpoint());
            return created.endpoint();
        });
    }

    /**
     * Changes an endpoint under its row's lock: {@code change} gets the stored endpoint (not deleted)
     * and returns the next one, or empty when there is no such endpoint.
     */
    Optional<Row> change(String id, UnaryOperator<Row> check, UnaryOperator<Endpoint> next, String changeName,
                         io.jobpulse.events.EventSource by, NotificationLog log) {
        return transactions.executeWrite(status -> {
            Connection connection = status.getConnection();
            Optional<Row> current = find(connection, id, true).map(check);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            Endpoint changed = next.apply(current.get().endpoint());
            log.write(new EndpointChange(changeName, by, changed, changed.updatedAt()));
            upsert(connection, changed);
            // Every change makes a new version, and a new version enables an endpoint Jobpulse disabled.
            return Optional.of(new Row(changed, null));
        });
    }

    Optional<Row> find(String id) {
        return transactions.executeRead(status -> find(status.getConnection(), id, false));
    }

    /** The endpoints of an owner (null: every owner's), oldest first. */
    List<Row> list(String owner) {
        return transactions.executeRead(status -> {
            String sql = "SELECT " + ENDPOINT_COLUMNS + " FROM endpoints WHERE status <> 'deleted'"
                    + (owner == null ? "" : " AND owner = ?") + " ORDER BY created_at, id";
            try (PreparedStatement statement = status.getConnection().prepareStatement(sql)) {
                if (owner != null) {
                    statement.setString(1, owner);
                }
                List<Row> rows = new ArrayList<>();
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        rows.add(row(result));
                    }
                }
                return rows;
            }
        });
    }

    long countOwned(String owner) {
        return transactions.executeRead(status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement(
                    "SELECT count(*) FROM endpoints WHERE status <> 'deleted' AND owner IS NOT DISTINCT FROM ?")) {
                statement.setString(1, owner);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    return result.getLong(1);
                }
            }
        });
    }

    /** One endpoint's deliveries, newest first, after the cursor's (created, id) when given. */
    List<DeliveryRow> deliveries(String endpointId, String status, Instant beforeCreated, String beforeId, int limit) {
        return deliveries(endpointId, null, status, beforeCreated, beforeId, limit);
    }

    Optional<DeliveryRow> delivery(String endpointId, String id) {
        return deliveries(endpointId, id, null, null, null, 1).stream().findFirst();
    }

    private List<DeliveryRow> deliveries(String endpointId, String id, String status, Instant beforeCreated, String beforeId, int limit) {
        return transactions.executeRead(tx -> {
            String sql = "SELECT id, job_id, version, type, status, attempts, response_status, response_excerpt, error, last_attempt_at,"
                    + " next_attempt_at, latency_ms, created_at, updated_at, payload FROM deliveries WHERE endpoint_id = ?"
                    + (id == null ? "" : " AND id = ?")
                    + (status == null ? "" : " AND status = ?")
                    + (beforeCreated == null ? "" : " AND (created_at, id) < (?, ?)")
                    + " ORDER BY created_at DESC, id DESC LIMIT ?";
            try (PreparedStatement statement = tx.getConnection().prepareStatement(sql)) {
                int i = 0;
                statement.setString(++i, endpointId);
                if (id != null) {
                    statement.setString(++i, id);
                }
                if (status != null) {
                    statement.setString(++i, status);
                }
                if (beforeCreated != null) {
                    statement.setTimestamp(++i, Timestamp.from(beforeCreated));
                    statement.setString(++i, beforeId);
                }
                statement.setInt(++i, limit);
                List<DeliveryRow> rows = new ArrayList<>();
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        rows.add(new DeliveryRow(result.getString(1), result.getString(2), result.getLong(3), result.getString(4),
                                result.getString(5), result.getInt(6), (Integer) result.getObject(7), result.getString(8), result.getString(9),
                                instant(result, 10), instant(result, 11), (Long) result.getObject(12), instant(result, 13), instant(result, 14),
                                result.getString(15)));
                    }
                }
                return rows;
            }
        });
    }

    /** Applies endpoints' changes read from the log. */
    void applyChanges(List<Endpoint> changed) {
        transactions.executeWrite(status -> {
            for (Endpoint endpoint : changed) {
                upsert(status.getConnection(), endpoint);
            }
            return null;
        });
    }

    /** Applies deliveries' reports read from the log; a report older than the one stored changes nothing. */
    void applyReports(List<DeliveryReport> reports) {
        String sql = "INSERT INTO deliveries (endpoint_id, id, job_id, version, type, status, attempts, response_status, response_excerpt,"
                + " error, last_attempt_at, next_attempt_at, latency_ms, created_at, updated_at, payload)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint_id, id) DO UPDATE SET"
                + " status = excluded.status, attempts = excluded.attempts, response_status = excluded.response_status,"
                + " response_excerpt = excluded.response_excerpt, error = excluded.error, last_attempt_at = excluded.last_attempt_at,"
                + " next_attempt_at = excluded.next_attempt_at, latency_ms = excluded.latency_ms, updated_at = excluded.updated_at"
                + " WHERE deliveries.updated_at <= excluded.updated_at";
        transactions.executeWrite(status -> {
            Connection connection = status.getConnection();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (DeliveryReport report : reports) {
                    int i = 0;
                    statement.setString(++i, report.delivery().endpointId());
                    statement.setString(++i, report.delivery().id());
                    statement.setString(++i, report.delivery().jobId());
                    statement.setLong(++i, report.delivery().version());
                    statement.setString(++i, report.delivery().type());
                    statement.setString(++i, report.status());
                    statement.setInt(++i, report.attempts());
                    statement.setObject(++i, report.responseStatus(), Types.INTEGER);
                    statement.setString(++i, report.responseExcerpt());
                    statement.setString(++i, report.error());
                    statement.setTimestamp(++i, timestamp(report.lastAttemptAt()));
                    statement.setTimestamp(++i, timestamp(report.nextAttemptAt()));
                    statement.setObject(++i, report.latencyMillis(), Types.BIGINT);
                    statement.setTimestamp(++i, timestamp(report.delivery().createdAt()));
                    statement.setTimestamp(++i, timestamp(report.at()));
                    statement.setString(++i, report.delivery().payload());
                    statement.addBatch();
                }
                statement.executeBatch();
            }
            try (PreparedStatement statement = connection.prepareStatement("UPDATE endpoints SET disabled_reason = ?, disabled_at_version = ?"
                    + " WHERE id = ? AND (disabled_at_version IS NULL OR disabled_at_version <= ?)")) {
                for (DeliveryReport report : reports) {
                    if (report.endpointDisabled() != null) {
                        statement.setString(1, report.endpointDisabled());
                        statement.setLong(2, report.endpointVersion());
                        statement.setString(3, report.delivery().endpointId());
                        statement.setLong(4, report.endpointVersion());
                        statement.addBatch();
                    }
                }
                statement.executeBatch();
            }
            return null;
        });
    }

    private static Optional<Row> find(Connection connection, String id, boolean forUpdate) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + ENDPOINT_COLUMNS
                + " FROM endpoints WHERE id = ? AND status <> 'deleted'" + (forUpdate ? " FOR UPDATE" : ""))) {
            statement.setString(1, id);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? Optional.of(row(result)) : Optional.empty();
            }
        }
    }

    private static void upsert(Connection connection, Endpoint endpoint) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setString(1, endpoint.id());
            statement.setString(2, endpoint.owner());
            statement.setLong(3, endpoint.version());
            statement.setString(4, endpoint.status());
            statement.setString(5, new String(JobJson.write(endpoint), StandardCharsets.UTF_8));
            statement.setTimestamp(6, Timestamp.from(endpoint.createdAt()));
            statement.executeUpdate();
        }
    }

    private static Row row(ResultSet result) throws SQLException {
        return new Row(JobJson.read(result.getString(1).getBytes(StandardCharsets.UTF_8), Endpoint.class), result.getString(2));
    }

    private static Instant instant(ResultSet result, int column) throws SQLException {
        Timestamp timestamp = result.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
