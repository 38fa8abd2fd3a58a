package io.jobpulse.events;

import java.time.Instant;

/**
 * An event the fold refused, as written to {@code jobpulse.job-events-rejected} (key = job id).
 *
 * @param reason a stable code, e.g. {@code unknown-job}, {@code job-terminal}, {@code malformed}
 * @param detail a human-readable explanation
 * @param event  the refused event, or null when it could not be decoded
 * @param raw    the undecodable record value as text, only for {@code malformed}
 */
public record RejectedEvent(String jobId, String reason, String detail, JobEvent event, String raw, Instant at) {
}
