package io.jobpulse.push;

import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.StatusChange;

import java.util.List;

/**
 * What a subscriber receives for one job: its state at {@code version}, either as a live change
 * or, on (re)connect, as a snapshot of the current state.
 *
 * @param snapshot true when this is the current state sent on connect rather than a live change;
 *                 versions between the subscriber's last one and this one were skipped
 * @param changed  the fields this change touched; empty for snapshots
 */
public record JobUpdate(String jobId, long version, JobStatus status, JobStatus previousStatus, boolean snapshot,
                        String cause, List<String> changed, JobState job) {

    static JobUpdate of(StatusChange change) {
        return new JobUpdate(change.jobId(), change.version(), change.status(), change.previousStatus(), false,
                change.causeEventType(), change.changed(), change.job());
    }

    static JobUpdate snapshot(JobState job) {
        return new JobUpdate(job.id(), job.version(), job.status(), null, true, null, List.of(), job);
    }

    boolean isTerminal() {
        return status.isTerminal();
    }
}
