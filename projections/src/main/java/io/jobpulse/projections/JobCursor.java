package io.jobpulse.projections;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a page of a job list ended: the (created at, id) of its last job. Lists are ordered by
 * that pair, newest first, and the next page starts strictly after it, so pages neither repeat
 * nor skip a job, even while new jobs arrive (they sort before the first page). Opaque to
 * clients: base64url of {@code <epoch micros>:<id>}. The raw history pages a job's events the same
 * way, oldest first, by (received at, event id).
 */
public record JobCursor(Instant createdAt, String id) {

    public String encode() {
        long micros = createdAt.getEpochSecond() * 1_000_000 + createdAt.getNano() / 1_000;
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor, or an {@link IllegalArgumentException} if the text is not one this service made. */
    public static JobCursor decode(String text) {
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a cursor", e);
        }
        int colon = decoded.indexOf(':');
        if (colon < 1 || colon == decoded.length() - 1) {
            throw new IllegalArgumentException("not a cursor");
        }
        try {
            long micros = Long.parseLong(decoded.substring(0, colon));
            return new JobCursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L),
                    decoded.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a cursor", e);
        }
    }
}
