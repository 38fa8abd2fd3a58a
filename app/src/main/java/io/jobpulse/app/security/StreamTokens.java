package io.jobpulse.app.security;

import io.jobpulse.http.Caller;
import io.jobpulse.push.StreamTokenUses;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/**
 * Stream tokens: {@code jst_<id>_<secret>}, made for a caller that may read, opening streams until
 * {@code jobpulse.security.stream-token-ttl} (2 minutes) has passed, one at a time. Each connect
 * takes the token in one conditional update in PostgreSQL that counts it ({@code uses}); the
 * stream that held it before ends: at once on this instance, within a second on another, which
 * sees the higher count when it next looks ({@link #endStreamsOfTakenTokens()}).
 */
@Singleton
public class StreamTokens implements StreamTokenUses {

    static final String PREFIX = "jst";
    private static final String TAKEN_OVER = "a newer connect holds the token";

    /** A token as made: the whole token, shown this once, and when it stops working. */
    public record Issued(String token, Instant expiresAt) {
    }

    /** The stream on this instance that holds a token: the caller its connect was given, and the count it took. */
    private record Hold(Caller caller, int use, Sinks.One<String> takenOver) {
    }

    private final TransactionOperations<Connection> transactions;
    private final SecurityConfiguration config;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();

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

    /** Takes a token for a stream: the caller it stands for; empty when it is unknown or expired. */
    @Override
    public Optional<Caller> redeem(String presented) {
        return redeem(presented, null);
    }

    /**
     * The same, for a stream of one job: a token is taken only for a job it covers. Presented for
     * another job it still authenticates (the stream then answers 404, as for any job its caller
     * may not see) but takes nothing, so a wrong job does not end the stream that holds it.
     */
    public Optional<Caller> redeem(String presented, String jobId) {
        Optional<Secrets.Parsed> parsed = Secrets.parse(presented, PREFIX);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        String id = parsed.get().id();
        Optional<Hold> taken = transactions.executeWrite(status -> {
            try (PreparedStatement take = status.getConnection().prepareStatement("""
                    UPDATE stream_tokens SET used_at = coalesce(used_at, now()), uses = uses + 1
                     WHERE id = ? AND expires_at > now()
                       AND (?::text IS NULL OR cardinality(jobs) = 0 OR ?::text = ANY(jobs))
                    RETURNING secret_hash, owner, jobs, expires_at, uses""")) {
                take.setString(1, id);
                take.setString(2, jobId);
                take.setString(3, jobId);
                try (ResultSet row = take.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    Optional<Caller> caller = caller(parsed.get(), row);
                    if (caller.isEmpty()) {
                        // A wrong secret for a real id rolls back, so guessing cannot end another's stream.
                        status.setRollbackOnly();
                    }
                    int use = row.getInt(5);
                    return caller.map(c -> new Hold(c, use, Sinks.one()));
                }
            }
        });
        if (taken.isPresent()) {
            hold(id, taken.get());
            return Optional.of(taken.get().caller());
        }
        if (jobId == null) {
            return Optional.empty();
        }
        return transactions.executeRead(status -> {
            try (PreparedStatement look = status.getConnection().prepareStatement(
                    "SELECT secret_hash, owner, jobs, expires_at FROM stream_tokens WHERE id = ? AND expires_at > now()")) {
                look.setString(1, id);
                try (ResultSet row = look.executeQuery()) {
                    return row.next() ? caller(parsed.get(), row) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Mono<String> takenOver(Caller caller) {
        if (!caller.isStreamToken()) {
            return Mono.never();
        }
        String id = caller.source().id();
        Hold hold = holds.get(id);
        if (hold == null) {
            // Not taken by a connect of this instance (a token that failed its job), or forgotten at expiry.
            return Mono.never();
        }
        if (hold.caller() != caller) {
            return Mono.just(TAKEN_OVER);
        }
        return hold.takenOver().asMono().doFinally(signal -> holds.remove(id, hold));
    }

    /** Makes {@code hold} the token's, unless this instance already knows a newer one, and ends the one that lost. */
    private void hold(String id, Hold hold) {
        Hold[] lost = new Hold[1];
        holds.compute(id, (key, held) -> {
            boolean newer = held == null || held.use() < hold.use();
            lost[0] = newer ? held : hold;
            return newer ? hold : held;
        });
        if (lost[0] != null) {
            lost[0].takenOver().tryEmitValue(TAKEN_OVER);
        }
    }

    /**
     * Ends the streams of this instance whose token a connect on another instance has taken since,
     * and forgets the holds of tokens past their expiry (their streams ended then).
     */
    @Scheduled(fixedDelay = "1s", initialDelay = "1s")
    void endStreamsOfTakenTokens() {
        if (holds.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        holds.values().removeIf(hold -> hold.caller().expiresAt().isBefore(now));
        Map<String, Integer> uses = transactions.executeRead(status -> {
            try (PreparedStatement look = status.getConnection().prepareStatement(
                    "SELECT id, uses FROM stream_tokens WHERE id = ANY(?)")) {
                look.setArray(1, status.getConnection().createArrayOf("text", holds.keySet().toArray()));
                Map<String, Integer> found = new HashMap<>();
                try (ResultSet rows = look.executeQuery()) {
                    while (rows.next()) {
                        found.put(rows.getString(1), rows.getInt(2));
                    }
                }
                return found;
            }
        });
        uses.forEach((id, latest) -> {
            Hold hold = holds.get(id);
            if (hold != null && hold.use() < latest) {
                // Told, and kept until its stream ends (a stream not subscribed yet still learns it).
                hold.takenOver().tryEmitValue(TAKEN_OVER);
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
