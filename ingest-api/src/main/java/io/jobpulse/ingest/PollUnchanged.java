package io.jobpulse.ingest;

import io.jobpulse.events.JobPoll;

/** The 200 answer to a poll request that changes nothing: why, and the poll already in place. */
public record PollUnchanged(String jobId, String reason, String detail, JobPoll poll) {
}
