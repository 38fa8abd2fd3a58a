package io.jobpulse.events;

/**
 * What a batch holds of one member job: its latest change seen (the topology's
 * {@code batch-members} store, key {@code <batchId>/<jobId>}). A change is applied only over a
 * lower version, so redelivered and reordered changes leave the latest.
 *
 * @param version  the job's version; 0 for a job added to the batch whose submission has not been folded yet
 * @param progress the job's progress, 0..1
 */
public record BatchMember(long version, JobStatus status, double progress) {

    /** Progress is summed in millionths, so that the batch's sum is exact whatever order it is built in. */
    public static final long UNITS = 1_000_000;

    /** A job added to a batch, before any of its changes. */
    public static final BatchMember ADDED = new BatchMember(0, JobStatus.QUEUED, 0.0);

    /** This job's share of its batch's progress, in millionths: an ended job counts as done, whichever way it ended. */
    public long progressUnits() {
        return status.isTerminal() ? UNITS : Math.round(Math.min(1.0, Math.max(0.0, progress)) * UNITS);
    }
}
