package io.jobpulse.push;

import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.StatusChange;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class JobLogSearchTest {

    private static FeedEntry version(long version, long offset) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        JobState state = new JobState("a", "alice", "x", List.of(), null, JobStatus.RUNNING, 0, null, Map.of(), null, null, null,
                null, 1, version, t, t, null, null, null, null, null, List.of(), null);
        return new FeedEntry(JobUpdate.of(new StatusChange("a", version, JobStatus.RUNNING, JobStatus.RUNNING, state, "e",
                "job.report-received", List.of(), t)), 0, offset);
    }

    /** The windows the search names until it is over, each answered with what {@code log} holds in it. */
    private static List<JobLogSearch.Window> run(JobLogSearch search, List<FeedEntry> log) {
        List<JobLogSearch.Window> windows = new ArrayList<>();
        for (Optional<JobLogSearch.Window> window = search.next(); window.isPresent(); window = search.next()) {
            JobLogSearch.Window read = window.get();
            windows.add(read);
            search.found(log.stream().filter(e -> e.offset() >= read.start() && e.offset() < read.end()).toList());
        }
        return windows;
    }

    private static List<Long> versions(List<FeedEntry> entries) {
        return entries.stream().map(e -> e.update().version()).toList();
    }

    @Test
    void readsBackFromTheHistoryInDoublingWindowsUntilOneHoldsTheVersionAfterTheClients() {
        // Versions 1..6 at offsets 2_500, 5_000, ... 15_000; the history starts at 20_000.
        List<FeedEntry> log = new ArrayList<>();
        for (int v = 1; v <= 6; v++) {
            log.add(version(v, v * 2_500L));
        }
        JobLogSearch search = new JobLogSearch(3, 20_000, 0, 100_000);

        assertThat(run(search, log)).containsExactly(new JobLogSearch.Window(19_000, 20_000), new JobLogSearch.Window(17_000, 19_000),
                new JobLogSearch.Window(13_000, 17_000), new JobLogSearch.Window(5_000, 13_000));
        assertThat(versions(search.result().orElseThrow())).as("version 4 is at 10_000; 2 at 5_000 ended the search")
                .containsExactly(4L, 5L, 6L);
    }

    @Test
    void aJobWithNoChangeBeforeTheHistoryAfterTheClientsIsFoundInTheFirstWindow() {
        JobLogSearch search = new JobLogSearch(5, 20_000, 0, 100_000);

        assertThat(run(search, List.of(version(4, 19_500), version(5, 19_900)))).hasSize(1);
        assertThat(search.result().orElseThrow()).as("what the client lacks is all in the history, or live").isEmpty();
    }

    @Test
    void givesUpAtThePartitionsStart() {
        JobLogSearch search = new JobLogSearch(1, 4_000, 500, 100_000);

        assertThat(run(search, List.of(version(3, 600), version(4, 3_000)))).containsExactly(
                new JobLogSearch.Window(3_000, 4_000), new JobLogSearch.Window(1_000, 3_000), new JobLogSearch.Window(500, 1_000));
        assertThat(search.result()).as("version 2 was deleted").isEmpty();
        assertThat(search.reach()).isEqualTo(3_500);
    }

    @Test
    void givesUpAfterTheBoundOnRecordsRead() {
        JobLogSearch search = new JobLogSearch(1, 10_000, 0, 2_500);

        assertThat(run(search, List.of(version(2, 100), version(3, 9_500)))).containsExactly(
                new JobLogSearch.Window(9_000, 10_000), new JobLogSearch.Window(7_500, 9_000));
        assertThat(search.result()).isEmpty();
        assertThat(search.reach()).isEqualTo(2_500);
    }

    @Test
    void readsNothingWhenTheTopicNoLongerHasTheRecordsBeforeTheHistory() {
        JobLogSearch search = new JobLogSearch(1, 100, 150, 100_000);

        assertThat(search.next()).isEmpty();
        assertThat(search.result()).isEmpty();
        assertThat(search.reach()).isZero();
    }

    @Test
    void theLogsVersionsAndTheHistorysJoinWithoutGapOrRepeat() {
        List<FeedEntry> fromLog = List.of(version(3, 10), version(4, 11), version(4, 12), version(5, 13));
        List<FeedEntry> history = List.of(version(6, 20), version(7, 21));

        assertThat(versions(JobLogSearch.continuation(2, fromLog, history).orElseThrow())).containsExactly(3L, 4L, 5L, 6L, 7L);
        assertThat(versions(JobLogSearch.continuation(4, fromLog, history).orElseThrow())).containsExactly(5L, 6L, 7L);
        assertThat(JobLogSearch.continuation(7, List.of(), history).orElseThrow()).isEmpty();
    }

    @Test
    void aMissingVersionMeansTheLogCannotServeTheResume() {
        assertThat(JobLogSearch.continuation(2, List.of(version(3, 10)), List.of(version(5, 20)))).as("4 is missing").isEmpty();
        assertThat(JobLogSearch.continuation(2, List.of(), List.of(version(4, 20)))).as("3 is missing").isEmpty();
    }
}
