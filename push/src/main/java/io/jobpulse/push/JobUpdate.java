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
 * @param changed     the fields this change touched; empty for snapshots
 * @param traceparent the W3C {@code traceparent} of the change's record (the topology's fold of the
 *                    event that caused it), so that a client can tie what it sees to the trace of
 *                    the request that caused it; null (and left out of the JSON) for snapshots and
 *                    for changes written before Jobpulse traced them
 */
public record JobUpdate(String jobId, long version, JobStatus status, JobStatus previousStatus, boolean snapshot,
                        String cause, List<String> changed, JobState job, String traceparent) {

    /** An update with no trace context. */
    public JobUpdate(String jobId, long version, JobStatus status, JobStatus previousStatus, boolean snapshot,
                     String cause, List<String> changed, JobState job) {
        this(jobId, version, status, previousStatus, snapshot, cause, changed, job, null);
    }

    static JobUpdate of(StatusChange change) {
        return of(change, null);
    }

    static JobUpdate of(StatusChange change, String traceparent) {
        return new JobUpdate(change.jobId(), change.version(), change.status(), change.previousStatus(), false,
                change.causeEventType(), change.changed(), change.job(), traceparent);
    }

    static JobUpdate snapshot(JobState job) {
        return new JobUpdate(job.id(), job.version(), job.status(), null, true, null, List.of(), job, null);
    }

    boolean isTerminal() {
        return status.isTerminal();
    }
}
