package io.jobpulse.ingest;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * Job and event ids: time-ordered UUIDs (version 7). Ids of idempotent submissions are keyed
 * ({@link SigningKey#idempotentJobId}, version 8; before that, name-based version 3).
 */
final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    /** A new UUIDv7: 48 bits of Unix milliseconds, then random bits, so ids sort by creation time. */
    static String next() {
        long millis = System.currentTimeMillis();
        long msb = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /**
     * Whether the id may name a job made since {@code since}: a time-ordered id made since then, or a
     * keyed or name-based one (whose time is unknown). Ids of other shapes were never made by Jobpulse.
     */
    static boolean mayBeRecent(String id, Instant since) {
        if (id.length() != 36) {
            return false;
        }
        try {
            UUID uuid = UUID.fromString(id);
            return switch (uuid.version()) {
                case 7 -> !Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16).isBefore(since);
                case 3, 8 -> true;
                default -> false;
            };
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
