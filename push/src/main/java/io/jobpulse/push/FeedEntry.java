package io.jobpulse.push;

/**
 * A change as the feed read it: the update, and where its record stands in
 * {@code jobpulse.job-status} (partition and offset), which is the same on every push instance.
 *
 * @param bytes the size of the record as read (key and value), which the history is bounded by
 */
record FeedEntry(JobUpdate update, int partition, long offset, long bytes) {

    /** An entry that is not kept in the history (a snapshot), or whose size does not matter. */
    FeedEntry(JobUpdate update, int partition, long offset) {
        this(update, partition, offset, 0);
    }
}
