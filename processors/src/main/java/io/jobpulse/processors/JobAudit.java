package io.jobpulse.processors;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobLimits;
import io.jobpulse.events.JobState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's log, folded again with {@link JobLifecycle}: what each event did (the version it made,
 * or why it was refused) and the state it left, optionally only up to an instant. The events
 * must be the job's events in log order; the same fold over the same log gives the states the
 * topology computed.
 */
public final class JobAudit {

    /** One event of the log and its outcome. */
    public record Entry(JobEvent event, Outcome outcome) {
    }

    /**
     * @param entries every event considered, in log order, with its outcome
     * @param state   the state after them, or null if the job did not exist yet
     */
    public record Result(List<Entry> entries, JobState state) {
    }

    private JobAudit() {
    }

    /** Folds the events received at or before {@code asOf} (all of them when it is null), with the default limits. */
    public static Result fold(List<JobEvent> log, Instant asOf) {
        return fold(log, asOf, JobLimits.DEFAULTS.maxStateBytes());
    }

    /** Folds the events received at or before {@code asOf} (all of them when it is null) with a maximum state size. */
    public static Result fold(List<JobEvent> log, Instant asOf, int maxStateBytes) {
        List<Entry> entries = new ArrayList<>();
        JobState state = null;
        for (JobEvent event : log) {
            if (asOf != null && event.receivedAt().isAfter(asOf)) {
                continue;
            }
            Outcome outcome = JobLifecycle.evolve(state, event, maxStateBytes);
            if (outcome instanceof Outcome.Applied applied) {
                state = applied.state();
            }
            entries.add(new Entry(event, outcome));
        }
        return new Result(entries, state);
    }
}
