package io.jobpulse.http;

import io.jobpulse.events.JobState;
import java.util.Optional;

/**
 * The current state of jobs as the topology holds it: what push's snapshots and intake's checks
 * that depend on a job's state read. A process with the {@code topology} role reads its own state
 * store; others ask a topology instance over HTTP.
 */
public interface JobStateReader {

    /** The job's current state, or empty when there is no such job. */
    Optional<JobState> current(String jobId);
}
