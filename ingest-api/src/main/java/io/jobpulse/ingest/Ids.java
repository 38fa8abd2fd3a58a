package io.jobpulse.ingest;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Job and event ids: time-ordered UUIDs (version 7), or name-based ones for idempotent submissions. */
final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private Ids() {
    }

    /** A new UUIDv7: 48 bits of Unix milliseconds, then random bits, so ids sort by creation time. */
    static String next() {
        long millis = System.currentTimeMillis();
        long msb = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** The same id for the same owner and idempotency key, so a repeated submission names the same job. */
    static String forIdempotencyKey(String owner, String key) {
        return UUID.nameUUIDFromBytes((owner + "\n" + key).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** When a time-ordered id was made; empty for name-based ids and ids Jobpulse did not make. */
    static Optional<Instant> createdAt(String id) {
        try {
            UUID uuid = UUID.fromString(id);
            return uuid.version() == 7 ? Optional.of(Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static boolean isWellFormed(String id) {
        return id != null && WELL_FORMED.matcher(id).matches();
    }
}
