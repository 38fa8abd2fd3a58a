package io.jobpulse.push;

import io.jobpulse.events.JobState;

import java.util.Optional;

/** Where a new subscriber's snapshot comes from: the current state of a job, if it exists. */
public interface JobSnapshots {

    Optional<JobState> current(String jobId);
}
