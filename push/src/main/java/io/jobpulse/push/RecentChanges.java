package io.jobpulse.push;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last changes this instance read from {@code jobpulse.job-status}, in feed order, bounded
 * by count and by bytes (the records' sizes as read), oldest evicted first: the history a reconnecting subscriber resumes from. A per-job resume needs the job's
 * retained versions; a multi-job resume needs every partition retained from its cursor on. What
 * is older than the window is not here: it is read back from the topic ({@link LogReplay}) from
 * before {@link #retainedFrom}, and where the topic cannot give it, a per-job subscriber gets the
 * current state instead, a multi-job one a reset. Not thread-safe: the {@link SubscriberHub} guards it.
 *
 * <p>Known limit: the byte bound counts records as they were read; decoded, a change takes a small
 * multiple of that on the heap. A single change larger than the bound is not retained at all.
 */
final class RecentChanges {

    private final int capacity;
    private final long maxBytes;
    private long bytes;
    private final ArrayDeque<FeedEntry> entries = new ArrayDeque<>();
    private final Map<String, ArrayDeque<FeedEntry>> byJob = new HashMap<>();
    /** Per partition, the offset of the oldest record still retained, or the next one to come if none is. */
    private final Map<Integer, Long> retainedFrom = new HashMap<>();
    /** Per partition, the offset after the last record read. */
    private final Map<Integer, Long> next = new HashMap<>();

    RecentChanges(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
    }

    /** Where the feed starts reading each partition; nothing before is retained. */
    void startAt(int partition, long offset) {
        retainedFrom.put(partition, offset);
        next.put(partition, offset);
    }

    void append(FeedEntry entry) {
        entries.addLast(entry);
        byJob.computeIfAbsent(entry.update().jobId(), id -> new ArrayDeque<>()).addLast(entry);
        next.put(entry.partition(), entry.offset() + 1);
        retainedFrom.putIfAbsent(entry.partition(), entry.offset());
        bytes += entry.bytes();
        while (!entries.isEmpty() && (entries.size() > capacity || bytes > maxBytes)) {
            evictOldest();
        }
    }

    /** Moves past a record without retaining it: a repeat of a change already here. */
    void passOver(FeedEntry entry) {
        next.put(entry.partition(), entry.offset() + 1);
    }

    /** The latest version of the job among the retained changes, or -1 if none is retained. */
    long lastVersion(String jobId) {
        ArrayDeque<FeedEntry> job = byJob.get(jobId);
        return job == null ? -1 : job.getLast().update().version();
    }

    private void evictOldest() {
        FeedEntry evicted = entries.removeFirst();
        bytes -= evicted.bytes();
        ArrayDeque<FeedEntry> job = byJob.get(evicted.update().jobId());
        job.removeFirst();
        if (job.isEmpty()) {
            byJob.remove(evicted.update().jobId());
        }
        retainedFrom.put(evicted.partition(), evicted.offset() + 1);
    }

    /** How many changes are retained. */
    int size() {
        return entries.size();
    }

    /** The bytes of the changes retained, as read. */
    long bytes() {
        return bytes;
    }

    /** The retained changes of one job, oldest first (empty if none is retained). */
    List<FeedEntry> job(String jobId) {
        ArrayDeque<FeedEntry> job = byJob.get(jobId);
        return job == null ? List.of() : List.copyOf(job);
    }

    /**
     * Every retained entry at or after the cursor, if the window reaches back to it in every
     * partition; empty if it does not, or if the cursor is not a position of this topic: ahead of
     * what was read, or not naming exactly the partitions read.
     */
    Optional<List<FeedEntry>> after(StreamCursor cursor) {
        if (!cursor.partitions().equals(next.keySet())) {
            return Optional.empty();
        }
        for (Map.Entry<Integer, Long> partition : retainedFrom.entrySet()) {
            long resumeAt = cursor.next(partition.getKey());
            if (resumeAt < partition.getValue() || resumeAt > next.get(partition.getKey())) {
                return Optional.empty();
            }
        }
        List<FeedEntry> after = new ArrayList<>();
        for (FeedEntry entry : entries) {
            if (entry.offset() >= cursor.next(entry.partition())) {
                after.add(entry);
            }
        }
        return Optional.of(after);
    }

    /**
     * Whether the cursor is a position of the topic as this instance reads it: it names exactly
     * the partitions read, and none beyond what was read. Such a cursor that {@link #after} cannot
     * serve is older than the history.
     */
    boolean isPosition(StreamCursor cursor) {
        return cursor.partitions().equals(next.keySet())
                && next.entrySet().stream().allMatch(partition -> cursor.next(partition.getKey()) <= partition.getValue());
    }

    /** Per partition, the offset of the oldest retained record, or of the next one to come if none is. */
    Map<Integer, Long> retainedFrom() {
        return Map.copyOf(retainedFrom);
    }

    /** Every retained change, in feed order. */
    List<FeedEntry> all() {
        return List.copyOf(entries);
    }

    /** The cursor just after the last record read. */
    StreamCursor position() {
        return new StreamCursor(next);
    }
}
