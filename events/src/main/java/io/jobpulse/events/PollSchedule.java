package io.jobpulse.events;

import java.time.Instant;

/**
 * A job to poll, as {@code jobpulse.job-polls} carries it.
 *
 * @param poll          how to poll it
 * @param lastChangeAt  when the job last changed; a reconciling poll ({@code quietFor}) waits until it has been quiet
 * @param nudgedAt      when a callback that said nothing but "look" (no status: OpenAI's batch events) arrived,
 *                      asking for a poll now; null when none did
 * @param owner         the job's owner, whose share of the providers' request budget the poll uses; null in
 *                      records written before polls named it
 */
public record PollSchedule(JobPoll poll, Instant lastChangeAt, Instant nudgedAt, String owner) {
}
