package io.jobpulse.processors;

import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariants of the fold over random logs of several interleaved jobs, with duplicates,
 * events for unknown jobs and late events after terminal states.
 */
class JobLifecyclePropertiesTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<String> JOBS = List.of("a", "b", "c");

    @Property(tries = 300)
    void versionsIncreaseByExactlyOnePerAppliedChange(@ForAll("logs") List<JobEvent> log) {
        Map<String, JobState> states = new HashMap<>();
        for (JobEvent event : log) {
            JobState before = states.get(event.jobId());
            if (JobLifecycle.evolve(before, event) instanceof Outcome.Applied applied) {
                assertThat(applied.state().version()).isEqualTo(before == null ? 1 : before.version() + 1);
                assertThat(applied.change().version()).isEqualTo(applied.state().version());
                states.put(event.jobId(), applied.state());
            }
        }
    }

    @Property(tries = 300)
    void terminalStatusesAbsorbEveryLaterEventButARetry(@ForAll("logs") List<JobEvent> log) {
        Map<String, JobState> states = new HashMap<>();
        for (JobEvent event : log) {
            JobState before = states.get(event.jobId());
            Outcome outcome = JobLifecycle.evolve(before, event);
            if (before != null && before.isTerminal() && !(event instanceof JobEvent.RetryRequested)) {
                assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
            }
            if (outcome instanceof Outcome.Applied applied) {
                states.put(event.jobId(), applied.state());
            }
        }
    }

    @Property(tries = 300)
    void foldingTheSameLogTwiceGivesTheSameStates(@ForAll("logs") List<JobEvent> log) {
        assertThat(fold(log)).isEqualTo(fold(log));
    }

    @Property(tries = 300)
    void replayingAnAppliedEventChangesNothing(@ForAll("logs") List<JobEvent> log) {
        Map<String, JobState> states = new HashMap<>();
        for (JobEvent event : log) {
            if (JobLifecycle.evolve(states.get(event.jobId()), event) instanceof Outcome.Applied applied) {
                states.put(event.jobId(), applied.state());
                assertThat(JobLifecycle.evolve(applied.state(), event)).isInstanceOf(Outcome.Rejected.class);
            }
        }
    }

    private static Map<String, JobState> fold(List<JobEvent> log) {
        Map<String, JobState> states = new HashMap<>();
        for (JobEvent event : log) {
            if (JobLifecycle.evolve(states.get(event.jobId()), event) instanceof Outcome.Applied applied) {
                states.put(event.jobId(), applied.state());
            }
        }
        return states;
    }

    @Provide
    Arbitrary<List<JobEvent>> logs() {
        Arbitrary<JobEvent> submitted = Arbitraries.of(JOBS).map(job -> new JobEvent.Submitted(
                "submit-" + job, job, T0, T0, EventSource.user("alice"), "alice", "image.generate", null, null, null, null));
        Arbitrary<JobEvent> report = Combinators.combine(
                Arbitraries.of(JOBS),
                Arbitraries.integers().between(0, 40),
                Arbitraries.of(JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED).injectNull(0.5),
                Arbitraries.doubles().between(-0.5, 1.5).injectNull(0.3))
                .as((job, id, status, progress) -> new JobEvent.ReportReceived("report-" + job + "-" + id, job,
                        T0.plusSeconds(id), T0.plusSeconds(id), EventSource.service("worker"), status, progress,
                        null, null, null, null));
        Arbitrary<JobEvent> cancel = Combinators.combine(Arbitraries.of(JOBS), Arbitraries.integers().between(0, 40))
                .as((job, id) -> new JobEvent.CancelRequested("cancel-" + job + "-" + id, job, T0.plusSeconds(id),
                        T0.plusSeconds(id), EventSource.user("bob"), null));
        Arbitrary<JobEvent> retry = Combinators.combine(Arbitraries.of(JOBS), Arbitraries.integers().between(0, 40))
                .as((job, id) -> new JobEvent.RetryRequested("retry-" + job + "-" + id, job, T0.plusSeconds(id),
                        T0.plusSeconds(id), EventSource.user("alice"), null));
        // Repeated ids (same job, same number) stand for redeliveries of one event.
        return Arbitraries.frequencyOf(Tuple.of(1, submitted), Tuple.of(6, report), Tuple.of(1, cancel), Tuple.of(1, retry))
                .list().ofMaxSize(60);
    }
}
