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

    /**
     * Headers of a rejection naming the {@code jobpulse.job-events} record it refused (partition and
     * offset, as decimal text), so that a replay can repeat the refusals that depended on limits.
     */
    public static final String EVENT_PARTITION_HEADER = "jobpulse-event-partition";
    public static final String EVENT_OFFSET_HEADER = "jobpulse-event-offset";
}
