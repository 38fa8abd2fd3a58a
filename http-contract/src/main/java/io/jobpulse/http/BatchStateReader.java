package io.jobpulse.http;

import io.jobpulse.events.BatchState;

import java.util.Optional;

/**
 * The current state of batches as the topology holds it, for intake's checks that depend on it
 * (may a batch take jobs, be closed, be canceled). Like {@link JobStateReader}: a process with the
 * topology role reads its own stores (or the instance that holds the batch); others ask a topology
 * instance over HTTP.
 */
public interface BatchStateReader {

    /** The batch's aggregate, or empty when there is no such batch (or its opening is not folded yet). */
    Optional<BatchState> batch(String batchId);

    /** The batch's member jobs as the batch last saw each. */
    BatchJobs jobs(String batchId);
}
