package io.jobpulse.push;

import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecentChangesTest {

    private static FeedEntry entry(String job, long version, int partition, long offset) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        JobState state = new JobState(job, "alice", "x", List.of(), null, JobStatus.RUNNING, 0, null, Map.of(), null, null, null,
                null, 1, version, t, t, null, null, null, null, null, List.of(), null);
        return new FeedEntry(JobUpdate.of(new io.jobpulse.events.StatusChange(job, version, JobStatus.RUNNING, JobStatus.RUNNING,
                state, "e", "job.report-received", List.of(), t)), partition, offset);
    }

    @Test
    void resumesFromACursorInsideTheWindowAndNotFromOutsideIt() {
        RecentChanges recent = new RecentChanges(3, Long.MAX_VALUE);
        recent.startAt(0, 100);
        recent.startAt(1, 200);
        recent.append(entry("a", 1, 0, 100));
        recent.append(entry("b", 1, 1, 200));
        recent.append(entry("a", 2, 0, 101));
        recent.append(entry("a", 3, 0, 102));

        assertThat(recent.after(new StreamCursor(Map.of(0, 101L, 1, 200L))).orElseThrow())
                .extracting(e -> e.update().jobId() + "@" + e.update().version()).containsExactly("b@1", "a@2", "a@3");
        assertThat(recent.after(new StreamCursor(Map.of(0, 100L, 1, 200L)))).as("a@1 was evicted").isEmpty();
        assertThat(recent.after(new StreamCursor(Map.of(0, 103L, 1, 201L))).orElseThrow()).isEmpty();
        assertThat(recent.after(new StreamCursor(Map.of(0, 500L, 1, 201L)))).as("ahead of what was read").isEmpty();
        assertThat(recent.job("a")).extracting(e -> e.update().version()).containsExactly(2L, 3L);
        assertThat(recent.position()).isEqualTo(new StreamCursor(Map.of(0, 103L, 1, 201L)));
    }

    @Test
    void aPassedOverRepeatMovesThePositionWithoutBeingRetained() {
        RecentChanges recent = new RecentChanges(10, Long.MAX_VALUE);
        recent.startAt(0, 100);
        recent.append(entry("a", 1, 0, 100));
        recent.append(entry("a", 2, 0, 101));
        assertThat(recent.lastVersion("a")).isEqualTo(2);
        assertThat(recent.lastVersion("b")).isEqualTo(-1);

        recent.passOver(entry("a", 2, 0, 104));

        assertThat(recent.job("a")).extracting(e -> e.update().version()).containsExactly(1L, 2L);
        assertThat(recent.position()).isEqualTo(new StreamCursor(Map.of(0, 105L)));
        assertThat(recent.after(new StreamCursor(Map.of(0, 102L))).orElseThrow()).isEmpty();
    }

    private static FeedEntry sized(String job, long version, long offset, long bytes) {
        FeedEntry entry = entry(job, version, 0, offset);
        return new FeedEntry(entry.update(), 0, offset, bytes);
    }

    @Test
    void evictsTheOldestChangesOnceTheirBytesExceedTheBound() {
        RecentChanges recent = new RecentChanges(1_000, 1_000);
        recent.startAt(0, 0);
        recent.append(sized("a", 1, 0, 400));
        recent.append(sized("b", 1, 1, 400));
        recent.append(sized("a", 2, 2, 150));
        assertThat(recent.size()).isEqualTo(3);

        recent.append(sized("c", 1, 3, 300));

        assertThat(recent.bytes()).isEqualTo(850);
        assertThat(recent.job("a")).as("a@1 was the oldest").extracting(e -> e.update().version()).containsExactly(2L);
        assertThat(recent.after(new StreamCursor(Map.of(0, 0L)))).as("the window no longer reaches offset 0").isEmpty();
        assertThat(recent.after(new StreamCursor(Map.of(0, 1L))).orElseThrow()).hasSize(3);
    }

    @Test
    void aChangeLargerThanTheWholeBoundIsNotRetainedAndLeavesNothingOlder() {
        RecentChanges recent = new RecentChanges(1_000, 1_000);
        recent.startAt(0, 0);
        recent.append(sized("a", 1, 0, 100));

        recent.append(sized("huge", 1, 1, 5_000));

        assertThat(recent.size()).isZero();
        assertThat(recent.bytes()).isZero();
        assertThat(recent.job("huge")).isEmpty();
        assertThat(recent.after(new StreamCursor(Map.of(0, 2L))).orElseThrow()).as("resuming after it is still possible").isEmpty();
        assertThat(recent.after(new StreamCursor(Map.of(0, 1L)))).isEmpty();
    }

    @Test
    void manySmallChangesAreBoundedByBytesBeforeCount() {
        RecentChanges recent = new RecentChanges(10_000, 64 * 1024);
        recent.startAt(0, 0);
        for (int i = 0; i < 10_000; i++) {
            recent.append(sized("job" + i, 1, i, 1_024));
        }
        assertThat(recent.size()).isEqualTo(64);
        assertThat(recent.bytes()).isLessThanOrEqualTo(64 * 1024);
    }

    @Test
    void cursorsSurviveTheirTextFormAndRejectOthers() {
        StreamCursor cursor = new StreamCursor(Map.of(0, 17L, 2, 4L));

        assertThat(StreamCursor.decode(cursor.encode())).isEqualTo(cursor);
        assertThatThrownBy(() -> StreamCursor.decode("not a cursor")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamCursor.decode("MDotMQ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCursorNotNamingExactlyTheTopicsPartitionsIsNoPosition() {
        RecentChanges recent = new RecentChanges(10, Long.MAX_VALUE);
        recent.startAt(0, 0);
        recent.startAt(1, 0);
        recent.append(entry("a", 1, 0, 0));

        assertThat(recent.after(new StreamCursor(Map.of(0, 0L, 1, 0L))).orElseThrow()).hasSize(1);
        assertThat(recent.after(new StreamCursor(Map.of(0, 0L)))).as("a partition missing").isEmpty();
        assertThat(recent.after(new StreamCursor(Map.of(0, 0L, 1, 0L, 7, 0L)))).as("a partition the topic does not have").isEmpty();
        assertThat(recent.after(new StreamCursor(Map.of(7, 0L)))).as("only partitions the topic does not have").isEmpty();
        assertThat(recent.after(StreamCursor.NOWHERE)).isEmpty();
    }

    @Test
    void textThatIsNoCursorResumesFromNowhereRatherThanBeingRefused() {
        StreamCursor cursor = new StreamCursor(Map.of(0, 17L));

        assertThat(SubscriptionRequests.cursor(null)).isEmpty();
        assertThat(SubscriptionRequests.cursor(" ")).isEmpty();
        assertThat(SubscriptionRequests.cursor(cursor.encode())).contains(cursor);
        assertThat(SubscriptionRequests.cursor("bogus")).contains(StreamCursor.NOWHERE);
        assertThat(SubscriptionRequests.cursor("MDotMQ")).as("a negative offset").contains(StreamCursor.NOWHERE);
    }
}
