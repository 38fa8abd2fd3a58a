package io.jobpulse.projections;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a page of a list ended: the (time, id) of its last row. The job lists are ordered by
 * (created at, id) and the batch list by (opened at, id), newest first, and the next page starts
 * strictly after it, so pages neither repeat nor skip a row, even while new ones arrive (they
 * sort before the first page). Opaque to clients: base64url of {@code <epoch micros>:<id>}. The
 * raw history pages a job's events the same way, oldest first, by (received at, event id).
 */
public record PageCursor(Instant at, String id) {

    public String encode() {
        long micros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor, or an {@link IllegalArgumentException} if the text is not one this service made. */
    public static PageCursor decode(String text) {
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
            return new PageCursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L),
                    decoded.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a cursor", e);
        }
    }
}
