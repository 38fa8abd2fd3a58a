package io.jobpulse.events;

/** How many of a batch's jobs are in each status; a job added but not yet folded counts as queued. */
public record BatchCounts(int queued, int running, int succeeded, int failed, int canceled, int expired) {

    public static final BatchCounts NONE = new BatchCounts(0, 0, 0, 0, 0, 0);

    /** These counts with {@code delta} more jobs in {@code status}. */
    public BatchCounts plus(JobStatus status, int delta) {
        return switch (status) {
            case QUEUED -> new BatchCounts(queued + delta, running, succeeded, failed, canceled, expired);
            case RUNNING -> new BatchCounts(queued, running + delta, succeeded, failed, canceled, expired);
            case SUCCEEDED -> new BatchCounts(queued, running, succeeded + delta, failed, canceled, expired);
            case FAILED -> new BatchCounts(queued, running, succeeded, failed + delta, canceled, expired);
            case CANCELED -> new BatchCounts(queued, running, succeeded, failed, canceled + delta, expired);
            case EXPIRED -> new BatchCounts(queued, running, succeeded, failed, canceled, expired + delta);
        };
    }

    public int total() {
        return queued + running + done();
    }

    /** The jobs that have ended, whichever way. */
    public int done() {
        return succeeded + failed + canceled + expired;
    }
}
