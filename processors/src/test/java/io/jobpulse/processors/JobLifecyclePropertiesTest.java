package io.jobpulse.processors;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariants of the fold over random logs of several interleaved jobs, with duplicates,
 * redelivered callbacks, out-of-order observations, events for unknown jobs, late events after
 * terminal states and expiries (see {@link JobLogs}).
 */
class JobLifecyclePropertiesTest {

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
    void withinAnAttemptAJobNeverMovesBackAStage(@ForAll("logs") List<JobEvent> log) {
        Map<String, JobState> states = new HashMap<>();
        for (JobEvent event : log) {
            JobState before = states.get(event.jobId());
            if (JobLifecycle.evolve(before, event) instanceof Outcome.Applied applied) {
                JobState after = applied.state();
                if (before != null && after.attempt() == before.attempt()) {
                    assertThat(stage(after.status())).isGreaterThanOrEqualTo(stage(before.status()));
                    assertThat(after.progress()).isGreaterThanOrEqualTo(before.progress());
                }
                states.put(event.jobId(), after);
            }
        }
    }

    @Property(tries = 300)
    void foldingTheSameLogTwiceGivesTheSameStates(@ForAll("logs") List<JobEvent> log) {
        assertThat(JobLogs.fold(log)).isEqualTo(JobLogs.fold(log));
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

    @Property(tries = 300)
    void aProviderDeliveryAppliesAtMostOnce(@ForAll("logs") List<JobEvent> log) {
        Map<String, JobState> states = new HashMap<>();
        Set<String> applied = new HashSet<>();
        for (JobEvent event : log) {
            if (JobLifecycle.evolve(states.get(event.jobId()), event) instanceof Outcome.Applied change) {
                states.put(event.jobId(), change.state());
                if (event.deliveryKey() != null) {
                    assertThat(applied.add(event.deliveryKey())).as("delivery %s applied twice", event.deliveryKey()).isTrue();
                }
            }
        }
    }

    @Provide
    Arbitrary<List<JobEvent>> logs() {
        return JobLogs.logs();
    }

    private static int stage(JobStatus status) {
        return switch (status) {
            case QUEUED -> 0;
            case RUNNING -> 1;
            default -> 2;
        };
    }
}
