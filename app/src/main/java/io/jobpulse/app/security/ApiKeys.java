package io.jobpulse.app.security;

import io.jobpulse.http.Caller;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * API keys for services and workers: {@code jp_<id>_<secret>}, stored as a SHA-256 hash in
 * PostgreSQL with their scopes and, optionally, the one owner they act for. A verified key is
 * remembered for {@code jobpulse.security.key-cache} (30 s), so a revocation takes effect within
 * that time on every instance.
 */
@Singleton
public class ApiKeys {

    static final String PREFIX = "jp";

    /** A key as listed: never its secret. */
    public record Listed(String id, String name, Set<String> scopes, String owner, Instant createdAt, Instant revokedAt) {
    }

    /** A key as made: the whole key, shown this once. */
    public record Created(String id, String key) {
    }

    private record Remembered(Caller caller, Instant until) {
    }

    private final TransactionOperations<Connection> transactions;
    private final SecurityConfiguration config;
    private final Map<String, Remembered> verified = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    public ApiKeys(TransactionOperations<Connection> transactions, SecurityConfiguration config) {
        this.transactions = transactions;
        this.config = config;
    }

    public Created create(String name, Set<Caller.Scope> scopes, String owner) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new IllegalArgumentException("a key needs a name of 1-100 characters (--name)");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope (--scopes "
                    + Arrays.stream(Caller.Scope.values()).map(Caller.Scope::wireName).collect(Collectors.joining(",")) + ")");
        }
        String key = Secrets.create(PREFIX);
        String id = Secrets.parse(key, PREFIX).orElseThrow().id();
        transactions.executeWrite(status -> {
            Connection connection = status.getConnection();
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO api_keys (id, name, secret_hash, scopes, owner) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, name);
                insert.setBytes(3, Secrets.hash(key));
                insert.setArray(4, connection.createArrayOf("text", scopes.stream().map(Caller.Scope::wireName).toArray()));
                insert.setString(5, owner);
                insert.executeUpdate();
            }
            return null;
        });
        return new Created(id, key);
    }

    public List<Listed> list() {
        return transactions.executeRead(status -> {
            List<Listed> keys = new ArrayList<>();
            try (PreparedStatement select = status.getConnection().prepareStatement(
                    "SELECT id, name, scopes, owner, created_at, revoked_at FROM api_keys ORDER BY created_at");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    keys.add(new Listed(rows.getString(1), rows.getString(2), Set.of((String[]) rows.getArray(3).getArray()),
                            rows.getString(4), rows.getTimestamp(5).toInstant(),
                            Optional.ofNullable(rows.getTimestamp(6)).map(Timestamp::toInstant).orElse(null)));
                }
            }
            return keys;
        });
    }

    /** Revokes a key by its id; false when there is no such key, or it was already revoked. */
    public boolean revoke(String id) {
        boolean revoked = transactions.executeWrite(status -> {
            try (PreparedStatement update = status.getConnection().prepareStatement(
                    "UPDATE api_keys SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL")) {
                update.setString(1, id);
                return update.executeUpdate() == 1;
            }
        });
        verified.values().removeIf(remembered -> remembered.caller().source().id().equals(id));
        return revoked;
    }

    /** Whether the key with this id exists and is not revoked: asked again by the streams a key opened. */
    public boolean isLive(String id) {
        return transactions.executeRead(status -> {
            try (PreparedStatement select = status.getConnection().prepareStatement(
                    "SELECT 1 FROM api_keys WHERE id = ? AND revoked_at IS NULL")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    return row.next();
                }
            }
        });
    }

    /** The caller a presented key stands for, or empty when it is not a live key. */
    public Optional<Caller> verify(String presented) {
        Optional<Secrets.Parsed> parsed = Secrets.parse(presented, PREFIX);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        // Remembered by hash, so that no key lies in memory longer than its request.
        String hash = HexFormat.of().formatHex(Secrets.hash(presented));
        Remembered remembered = verified.get(hash);
        if (remembered != null && remembered.until().isAfter(now)) {
            return Optional.of(remembered.caller());
        }
        Optional<Caller> caller = lookUp(parsed.get());
        caller.ifPresentOrElse(found -> verified.put(hash, new Remembered(found, now.plus(config.keyCache()))),
                () -> verified.remove(hash));
        if (verified.size() > 10_000) {
            verified.values().removeIf(entry -> !entry.until().isAfter(now));
        }
        return caller;
    }

    private Optional<Caller> lookUp(Secrets.Parsed key) {
        return transactions.executeRead(status -> {
            try (PreparedStatement select = status.getConnection().prepareStatement(
                    "SELECT secret_hash, scopes, owner FROM api_keys WHERE id = ? AND revoked_at IS NULL")) {
                select.setString(1, key.id());
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next() || !Secrets.matches(key.whole(), row.getBytes(1))) {
                        return Optional.empty();
                    }
                    return Optional.of(Caller.service(key.id(), row.getString(3), scopes(row.getArray(2))));
                }
            }
        });
    }

    private static Set<Caller.Scope> scopes(Array stored) throws SQLException {
        Set<Caller.Scope> scopes = EnumSet.noneOf(Caller.Scope.class);
        Arrays.stream((String[]) stored.getArray()).map(Caller.Scope::fromWireName).flatMap(Optional::stream).forEach(scopes::add);
        return scopes;
    }

    /**
     * Scopes from their names, e.g. {@code jobpulse:jobs:submit,jobpulse:jobs:read}; an unknown
     * name is an error, and a name from before scopes were namespaced says what it is now.
     */
    public static Set<Caller.Scope> parseScopes(String names) {
        Set<Caller.Scope> scopes = EnumSet.noneOf(Caller.Scope.class);
        for (String name : names.split("[,\\s]+")) {
            if (!name.isEmpty()) {
                scopes.add(Caller.Scope.fromWireName(name).orElseThrow(() -> new IllegalArgumentException(
                        Caller.Scope.fromFormerName(name).map(scope -> "scope '" + name + "' is now '" + scope.wireName() + "'")
                                .orElse("unknown scope '" + name + "'") + "; the scopes are "
                                + Arrays.stream(Caller.Scope.values()).map(Caller.Scope::wireName).collect(Collectors.joining(", ")))));
            }
        }
        return scopes;
    }
}
