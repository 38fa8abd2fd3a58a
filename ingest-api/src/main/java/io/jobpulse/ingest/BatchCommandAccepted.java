package io.jobpulse.ingest;

import java.util.List;

/**
 * The 202 answer to closing or canceling a batch: its event is in the log.
 *
 * @param event        {@code batch.closed} or {@code batch.canceled}
 * @param canceledJobs for a cancel, the jobs that were still open and were each sent a cancel request in the same
 *                     transaction; absent for a close
 */
public record BatchCommandAccepted(String batchId, String eventId, String event, List<String> canceledJobs) {
}
