package io.jobpulse.processors;

import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Random logs of several interleaved jobs for property tests: submissions, reports, callbacks
 * and polls (with redelivered delivery ids and out-of-order statuses), cancels, retries, events
 * for unknown jobs, late events after terminal states, and expiries. An expiry is written as the
 * deadline check writes it: the {@code job.deadline-passed} of the job's attempt and deadline at
 * that point of the log; a replayed expiry of an earlier attempt is in the mix too.
 */
public final class JobLogs {

    public static final List<String> JOBS = List.of("a", "b", "c");
    private static final Instant T0 = JobEvents.T0;
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final List<String> RAW = List.of("starting", "processing", "succeeded", "failed", "canceled");

    private JobLogs() {
    }

    public static Arbitrary<List<JobEvent>> logs() {
        Arbitrary<Function<Map<String, JobState>, JobEvent>> submitted = Arbitraries.of(JOBS).map(job -> states ->
                new JobEvent.Submitted("submit-" + job, job, T0, T0, EventSource.user("alice"), "alice",
                        "image.generate", null, null, null, TIMEOUT, null, null, null));
        Arbitrary<Function<Map<String, JobState>, JobEvent>> report = Combinators.combine(
                Arbitraries.of(JOBS),
                Arbitraries.integers().between(0, 40),
                Arbitraries.of(JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED).injectNull(0.5),
                Arbitraries.doubles().between(-0.5, 1.5).injectNull(0.3))
                .as((job, n, status, progress) -> states -> new JobEvent.ReportReceived("report-" + job + "-" + n, job,
                        at(n), at(n), EventSource.service("worker"), status, progress, null, null, null, null));
        Arbitrary<Function<Map<String, JobState>, JobEvent>> callback = Combinators.combine(
                Arbitraries.of(JOBS),
                Arbitraries.integers().between(0, 40),
                Arbitraries.integers().between(0, 4),
                Arbitraries.of(RAW))
                // The delivery id (0..4) repeats under other event ids: redeliveries of one webhook.
                .as((job, n, delivery, raw) -> states -> new JobEvent.CallbackReceived(
                        "callback-" + job + "-" + n + "-" + delivery, job,
                        at(n), at(n), EventSource.provider("replicate"), "replicate", "delivery-" + job + "-" + delivery,
                        "v1", new ProviderObservation(canonical(raw), raw, "pred-" + job, null, null, null, null), null));
        Arbitrary<Function<Map<String, JobState>, JobEvent>> poll = Combinators.combine(
                Arbitraries.of(JOBS),
                Arbitraries.integers().between(0, 40),
                Arbitraries.of(RAW),
                Arbitraries.doubles().between(0, 1).injectNull(0.5))
                .as((job, n, raw, progress) -> states -> new JobEvent.PollObserved("poll-" + job + "-" + n, job, at(n),
                        at(n), EventSource.system("poller"), "replicate", "https://api.example/p/" + job,
                        new ProviderObservation(canonical(raw), raw, "pred-" + job, progress, null, null, null), null));
        Arbitrary<Function<Map<String, JobState>, JobEvent>> cancel = Combinators.combine(
                Arbitraries.of(JOBS), Arbitraries.integers().between(0, 40))
                .as((job, n) -> states -> new JobEvent.CancelRequested("cancel-" + job + "-" + n, job, at(n), at(n),
                        EventSource.user("bob"), null));
        Arbitrary<Function<Map<String, JobState>, JobEvent>> retry = Combinators.combine(
                Arbitraries.of(JOBS), Arbitraries.integers().between(0, 40))
                .as((job, n) -> states -> new JobEvent.RetryRequested("retry-" + job + "-" + n, job, at(n), at(n),
                        EventSource.user("alice"), null));
        Arbitrary<Function<Map<String, JobState>, JobEvent>> expiry = Combinators.combine(
                Arbitraries.of(JOBS), Arbitraries.integers().between(0, 40))
                .as((job, n) -> states -> deadlinePassed(job, n, states.get(job)));
        Arbitrary<Function<Map<String, JobState>, JobEvent>> staleExpiry = Arbitraries.of(JOBS).map(job -> states ->
                new JobEvent.DeadlinePassed("first-deadline-" + job, job, T0.plus(TIMEOUT), T0.plus(TIMEOUT),
                        EventSource.system("deadlines"), 1, T0.plus(TIMEOUT)));
        return Arbitraries.frequencyOf(Tuple.of(2, submitted), Tuple.of(6, report), Tuple.of(4, callback),
                        Tuple.of(3, poll), Tuple.of(1, cancel), Tuple.of(2, retry), Tuple.of(1, expiry),
                        Tuple.of(1, staleExpiry))
                .list().ofMinSize(30).ofMaxSize(100)
                .map(JobLogs::write);
    }

    /** Folds a log, keeping each job's latest state. */
    public static Map<String, JobState> fold(List<JobEvent> log) {
        Map<String, JobState> states = new HashMap<>();
        for (JobEvent event : log) {
            if (JobLifecycle.evolve(states.get(event.jobId()), event) instanceof Outcome.Applied applied) {
                states.put(event.jobId(), applied.state());
            }
        }
        return states;
    }

    /** Turns the steps into a log, giving each step the states of the log so far, as the topology does. */
    private static List<JobEvent> write(List<Function<Map<String, JobState>, JobEvent>> steps) {
        Map<String, JobState> states = new HashMap<>();
        List<JobEvent> log = new ArrayList<>();
        for (Function<Map<String, JobState>, JobEvent> step : steps) {
            JobEvent event = step.apply(states);
            log.add(event);
            if (JobLifecycle.evolve(states.get(event.jobId()), event) instanceof Outcome.Applied applied) {
                states.put(event.jobId(), applied.state());
            }
        }
        return log;
    }

    private static JobEvent deadlinePassed(String job, int n, JobState state) {
        int attempt = state == null ? 1 : state.attempt();
        Instant deadline = state == null || state.deadline() == null ? T0.plus(TIMEOUT) : state.deadline();
        return new JobEvent.DeadlinePassed("deadline-" + job + "-" + attempt, job, deadline, at(n),
                EventSource.system("deadlines"), attempt, deadline);
    }

    private static JobStatus canonical(String raw) {
        return switch (raw) {
            case "starting" -> JobStatus.QUEUED;
            case "processing" -> JobStatus.RUNNING;
            case "succeeded" -> JobStatus.SUCCEEDED;
            case "failed" -> JobStatus.FAILED;
            default -> JobStatus.CANCELED;
        };
    }

    private static Instant at(int n) {
        return T0.plusSeconds(n);
    }
}
