package io.jobpulse.http;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** What a job id may look like: 1-128 letters, digits and {@code . _ : -}, starting with a letter or digit. */
public final class JobIds {

    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private JobIds() {
    }

    /** Whether an id could name a job; anything else names none, and is answered 404 without a lookup. */
    public static boolean isWellFormed(String id) {
        return id != null && WELL_FORMED.matcher(id).matches();
    }

    /**
     * When a time-ordered id (UUID version 7) says it was made: its first 48 bits are Unix
     * milliseconds. Empty for any other id, whose time is unknown. Anyone can write such an id, so
     * this is a claim, never a proof.
     */
    public static Optional<Instant> madeAt(String id) {
        if (id == null || id.length() != 36) {
            return Optional.empty();
        }
        try {
            UUID uuid = UUID.fromString(id);
            return uuid.version() == 7 ? Optional.of(Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
