package io.jobpulse.events;

import java.time.Instant;
import java.util.List;

/**
 * One applied change of one job, as written to {@code jobpulse.job-status} (key = job id).
 * It carries the full state after the change, so a reader never needs an earlier record.
 *
 * @param version        the job's version after this change (also its SSE event id)
 * @param previousStatus the status before the change, or null for the submission
 * @param job            the full state after the change
 * @param causeEventId   the id of the event that caused the change
 * @param causeEventType the wire name of that event
 * @param changed        the names of the {@link JobState} fields that changed
 * @param at             when the change was applied
 */
public record StatusChange(String jobId, long version, JobStatus previousStatus, JobStatus status, JobState job,
                           String causeEventId, String causeEventType, List<String> changed, Instant at) {

    public StatusChange {
        changed = changed == null ? List.of() : List.copyOf(changed);
    }
}
