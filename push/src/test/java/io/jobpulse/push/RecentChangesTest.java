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
                null, 1, version, t, t, null, null, null, null, null, List.of());
        return new FeedEntry(JobUpdate.of(new io.jobpulse.events.StatusChange(job, version, JobStatus.RUNNING, JobStatus.RUNNING,
                state, "e", "job.report-received", List.of(), t)), partition, offset);
    }

    @Test
    void resumesFromACursorInsideTheWindowAndNotFromOutsideIt() {
        RecentChanges recent = new RecentChanges(3);
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
    void cursorsSurviveTheirTextFormAndRejectOthers() {
        StreamCursor cursor = new StreamCursor(Map.of(0, 17L, 2, 4L));

        assertThat(StreamCursor.decode(cursor.encode())).isEqualTo(cursor);
        assertThatThrownBy(() -> StreamCursor.decode("not a cursor")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamCursor.decode("MDotMQ")).isInstanceOf(IllegalArgumentException.class);
    }
}
