package io.jobpulse.ingest;

import java.security.SecureRandom;
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
}
