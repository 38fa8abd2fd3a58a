package io.jobpulse.processors;

import io.jobpulse.events.JobState;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The deadlines of unfinished jobs, ordered by time, in a key-value store keyed by
 * {@code <deadline as 19-digit epoch millis>/<job id>}: the key's text order is the deadline's
 * order, so the overdue jobs are one range scan from the start to now, however many jobs there
 * are. It holds one entry per unfinished job that has a deadline; ended jobs have none.
 */
final class DeadlineIndex {

    /** One job's deadline in the index. */
    record Entry(String key, String jobId, long deadlineMillis) {

        boolean isFor(JobState state) {
            return state.deadline() != null && state.deadline().toEpochMilli() == deadlineMillis;
        }
    }

    private final KeyValueStore<String, String> store;

    DeadlineIndex(KeyValueStore<String, String> store) {
        this.store = store;
    }

    static String key(Instant deadline, String jobId) {
        return millis(Math.max(0, deadline.toEpochMilli())) + "/" + jobId;
    }

    /**
     * {@code String.format("%019d", millis)} for a millis that is not negative, without the
     * formatter: keys are made twice for every event folded, and formatting was most of the index's cost.
     */
    static String millis(long millis) {
        String digits = Long.toString(millis);
        return "0".repeat(19 - digits.length()) + digits;
    }

    /** Moves a job's entry from its state before a change to its state after it. */
    void track(JobState before, JobState after) {
        String previous = entryKey(before);
        String next = entryKey(after);
        if (Objects.equals(previous, next)) {
            return;
        }
        if (previous != null) {
            store.delete(previous);
        }
        if (next != null) {
            store.put(next, after.id());
        }
    }

    /** At most {@code max} entries whose deadline is at or before {@code now}, earliest first. */
    List<Entry> due(Instant now, int max) {
        List<Entry> due = new ArrayList<>();
        long nowMillis = now.toEpochMilli();
        // "<now + 1 ms>/" sorts after every key at 'now' and before every later one (job ids are not empty).
        try (KeyValueIterator<String, String> overdue = store.range(null, millis(nowMillis + 1) + "/")) {
            while (overdue.hasNext() && due.size() < max) {
                KeyValue<String, String> entry = overdue.next();
                long deadline = Long.parseLong(entry.key.substring(0, 19));
                if (deadline <= nowMillis) {
                    due.add(new Entry(entry.key, entry.value, deadline));
                }
            }
        }
        return due;
    }

    void remove(Entry entry) {
        store.delete(entry.key());
    }

    private static String entryKey(JobState state) {
        return state == null || state.isTerminal() || state.deadline() == null ? null : key(state.deadline(), state.id());
    }
}
