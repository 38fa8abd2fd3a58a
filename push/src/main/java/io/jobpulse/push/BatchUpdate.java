package io.jobpulse.push;

import io.jobpulse.events.BatchChange;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.BatchStatus;

/**
 * What a batch's subscriber receives for the batch itself: its aggregate at {@code version}, as a
 * live change of {@code jobpulse.batch-status} or, on (re)connect, as a snapshot of the current state.
 *
 * @param snapshot true when this is the current state sent on connect rather than a change; the
 *                 versions between the subscriber's last one and this one were skipped
 * @param cause    the wire name of the event that caused the change ({@code batch.opened}, ...,
 *                 {@code batch.job-changed}); null for snapshots
 * @param causeEventId the id of that event, {@code <jobId>/<version>} for a job's change; null for snapshots
 */
public record BatchUpdate(String batchId, long version, BatchStatus status, BatchStatus previousStatus, boolean snapshot,
                          String cause, String causeEventId, BatchState batch) {

    static BatchUpdate of(BatchChange change) {
        return new BatchUpdate(change.batchId(), change.version(), change.status(), change.previousStatus(), false,
                change.causeEventType(), change.causeEventId(), change.batch());
    }

    static BatchUpdate snapshot(BatchState batch) {
        return new BatchUpdate(batch.id(), batch.version(), batch.status(), null, true, null, null, batch);
    }

    /** Whether the batch is finished: closed or canceled with every job ended. A retry can still reopen it. */
    boolean isFinished() {
        return status.isFinished();
    }
}
