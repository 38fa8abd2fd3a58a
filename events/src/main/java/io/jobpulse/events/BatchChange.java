package io.jobpulse.events;

import java.time.Instant;

/**
 * One visible change of one batch, as written to {@code jobpulse.batch-status} (key = batch id),
 * with the whole aggregate after it, so a reader never needs an earlier record.
 *
 * @param version        the batch's version after this change
 * @param previousStatus the status before the change, or null for the first change (the opening)
 * @param batch          the aggregate after the change
 * @param causeEventId   the id of the event that caused it; {@code <jobId>/<version>} for a job's change
 * @param causeEventType its wire name ({@code batch.opened}, ..., {@code batch.job-changed})
 * @param at             when the cause was received
 */
public record BatchChange(String batchId, long version, BatchStatus previousStatus, BatchStatus status, BatchState batch,
                          String causeEventId, String causeEventType, Instant at) {
}
