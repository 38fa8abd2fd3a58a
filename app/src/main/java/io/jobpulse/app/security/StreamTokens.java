package io.jobpulse.app.security;

import io.jobpulse.http.Caller;
import io.jobpulse.push.StreamRenewals;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Stream tokens: {@code jst_<id>_<secret>}, made for a caller that may read, allowing one connect
 * to a stream within {@code jobpulse.security.stream-token-ttl} (2 minutes). Single use holds
 * across instances: the connect that uses a token marks it in PostgreSQL in one conditional
 * update, and any later connect finds it used.
 */
@Singleton
public class StreamTokens implements StreamRenewals {

    static final String PREFIX = "jst";

    /** A token as made: the whole token, shown this once, and when it stops working. */
    public record Issued(String token, Instant expiresAt) {
    }

    private final TransactionOperations<Connection> transactions;
    private final SecurityConfiguration config;
    private final Clock clock = Clock.systemUTC();

    public StreamTokens(TransactionOperations<Connection> transactions, SecurityConfiguration config) {
        this.transactions = transactions;
        this.config = config;
    }

    /** A token for the owner's given jobs (all of them when none are given), made by {@code createdBy}. */
    public Issued issue(String owner, Set<String> jobs, String createdBy) {
        String token = Secrets.create(PREFIX);
        String id = Secrets.parse(token, PREFIX).orElseThrow().id();
        Instant expiresAt = clock.instant().plus(config.streamTokenTtl());
        transactions.executeWrite(status -> {
            Connection connection = status.getConnection();
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO stream_tokens (id, secret_hash, owner, jobs, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setBytes(2, Secrets.hash(token));
                insert.setString(3, owner);
                insert.setArray(4, connection.createArrayOf("text", jobs.toArray()));
                insert.setString(5, createdBy);
                insert.setTimestamp(6, Timestamp.from(expiresAt));
                insert.executeUpdate();
            }
            return null;
        });
        return new Issued(token, expiresAt);
    }

    /** Uses a token: the caller it stands for, once; empty when it is unknown, used or expired. */
    @Override
    public Optional<Caller> redeem(String presented) {
        return redeem(presented, null);
    }

    /**
     * The same, for a stream of one job: a token is spent only on a job it covers. Presented for
     * another job it still authenticates (the stream then answers 404, as for any job its caller
     * may not see) but stays unused, so a wrong job does not spend it.
     */
    public Optional<Caller> redeem(String presented, String jobId) {
        Optional<Secrets.Parsed> parsed = Secrets.parse(presented, PREFIX);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        return transactions.executeWrite(status -> {
            try (PreparedStatement use = status.getConnection().prepareStatement("""
                    UPDATE stream_tokens SET used_at = now()
                     WHERE id = ? AND used_at IS NULL AND expires_at > now()
                       AND (?::text IS NULL OR cardinality(jobs) = 0 OR ?::text = ANY(jobs))
                    RETURNING secret_hash, owner, jobs, expires_at""");
                 PreparedStatement look = status.getConnection().prepareStatement("""
                    SELECT secret_hash, owner, jobs, expires_at FROM stream_tokens
                     WHERE id = ? AND used_at IS NULL AND expires_at > now()""")) {
                use.setString(1, parsed.get().id());
                use.setString(2, jobId);
                use.setString(3, jobId);
                try (ResultSet row = use.executeQuery()) {
                    if (row.next()) {
                        Optional<Caller> spent = caller(parsed.get(), row);
                        if (spent.isEmpty()) {
                            // A wrong secret for a real id rolls back, so guessing cannot burn another's token.
                            status.setRollbackOnly();
                        }
                        return spent;
                    }
                }
                if (jobId == null) {
                    return Optional.empty();
                }
                look.setString(1, parsed.get().id());
                try (ResultSet row = look.executeQuery()) {
                    return row.next() ? caller(parsed.get(), row) : Optional.empty();
                }
            }
        });
    }

    /** The caller of the token in the current row, if the presented secret matches it. */
    private static Optional<Caller> caller(Secrets.Parsed presented, ResultSet row) throws SQLException {
        if (!Secrets.matches(presented.whole(), row.getBytes(1))) {
            return Optional.empty();
        }
        return Optional.of(Caller.stream(presented.id(), row.getString(2), Set.of((String[]) row.getArray(3).getArray()),
                row.getTimestamp(4).toInstant()));
    }

    /** Forgets tokens an hour after they expired. */
    @Scheduled(fixedDelay = "1h", initialDelay = "5m")
    void purge() {
        transactions.executeWrite(status -> {
            try (PreparedStatement delete = status.getConnection().prepareStatement(
                    "DELETE FROM stream_tokens WHERE expires_at < now() - interval '1 hour'")) {
                return delete.executeUpdate();
            }
        });
    }
}
