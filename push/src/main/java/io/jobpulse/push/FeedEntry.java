package io.jobpulse.push;

/**
 * A change as the feed read it: the update, and where its record stands in
 * {@code jobpulse.job-status} (partition and offset), which is the same on every push instance.
 */
record FeedEntry(JobUpdate update, int partition, long offset) {
}
