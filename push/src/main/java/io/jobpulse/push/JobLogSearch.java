package io.jobpulse.push;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a one-job resume looks for the versions the history lacks: the job's partition of
 * {@code jobpulse.job-status}, before the offset where the history starts in it. Which offset
 * holds the version after the client's is unknown; what is known is that the job's changes are
 * all in that partition, in version order. So the search goes backwards from the history's start
 * in growing windows ({@link #FIRST_WINDOW} records, then twice as many each time) and stops at
 * the first window that holds a version of the job at or below the one the client needs: every
 * later version of the job before the history has then been read. It gives up at the partition's
 * start and after {@code maxRecords} records; then the log cannot give the client's next version
 * (retention deleted it, or it lies too far back) and the client gets the job's current state.
 *
 * <p>Pure: {@link LogReplay} reads the windows this names, and hands back what they held.
 */
final class JobLogSearch {

    /** The records the first window reads: a job's recent versions are usually close before the history. */
    static final long FIRST_WINDOW = 1_000;

    /** Offsets {@code start} (included) to {@code end} (excluded) of the job's partition. */
    record Window(long start, long end) {
    }

    private final long afterVersion;
    private final long before;
    /** The oldest offset the search may read: the partition's start, or {@code maxRecords} before the history. */
    private final long floor;
    /** Where the next window ends: where the one before started. */
    private long end;
    private long size = FIRST_WINDOW;
    /** The job's changes the windows held, oldest first. */
    private final ArrayDeque<FeedEntry> found = new ArrayDeque<>();
    private boolean reached;

    /**
     * @param afterVersion the version the client has
     * @param before       where the history starts in the job's partition: the search reads only before it
     * @param logStart     the partition's first offset still in the topic
     * @param maxRecords   the most records the search reads
     */
    JobLogSearch(long afterVersion, long before, long logStart, long maxRecords) {
        this.afterVersion = afterVersion;
        this.before = before;
        this.end = before;
        this.floor = Math.max(logStart, before - maxRecords);
    }

    /** The next window to read, just before the last one; empty once the search is over, found or not. */
    Optional<Window> next() {
        if (reached || end <= floor) {
            return Optional.empty();
        }
        long start = Math.max(floor, end - size);
        Window window = new Window(start, end);
        end = start;
        size = Math.min(size * 2, Long.MAX_VALUE / 4);
        return Optional.of(window);
    }

    /** The job's changes in the window {@link #next} named last, in offset order. */
    void found(List<FeedEntry> window) {
        for (int i = window.size() - 1; i >= 0; i--) {
            found.addFirst(window.get(i));
        }
        reached |= window.stream().anyMatch(entry -> entry.update().version() <= afterVersion + 1);
    }

    /** How many records the search may read at most: from where the history starts back to the partition's start or the bound. */
    long reach() {
        return Math.max(0, before - floor);
    }

    /**
     * The job's changes after the client's version, oldest first, once a window reached back to the
     * version after it; empty if the search ended without.
     */
    Optional<List<FeedEntry>> result() {
        return reached ? Optional.of(found.stream().filter(entry -> entry.update().version() > afterVersion).toList()) : Optional.empty();
    }

    /**
     * What a client holding {@code afterVersion} is sent: the versions read from the log, then the
     * history's, each once, if together they run on from the next version without a gap; empty if
     * one is missing (a record that could not be read, say), as the client must then get the
     * current state instead.
     */
    static Optional<List<FeedEntry>> continuation(long afterVersion, List<FeedEntry> fromLog, List<FeedEntry> history) {
        List<FeedEntry> joined = new ArrayList<>();
        long last = afterVersion;
        for (List<FeedEntry> part : List.of(fromLog, history)) {
            for (FeedEntry entry : part) {
                long version = entry.update().version();
                if (version == last + 1) {
                    joined.add(entry);
                    last = version;
                } else if (version > last + 1) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(List.copyOf(joined));
    }
}
