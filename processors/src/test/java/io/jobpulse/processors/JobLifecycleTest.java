package io.jobpulse.processors;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobPoll;
import io.jobpulse.events.JobProvider;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JobLifecycleTest {

    private static final String JOB = "job-1";
    private static final Instant T0 = JobEvents.T0;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private final JobEvents events = new JobEvents(JOB);

    private JobEvent.Submitted submitted() {
        return events.submitted();
    }

    private JobEvent.ReportReceived report(JobStatus status, Double progress) {
        return events.report(status, progress);
    }

    private static JobState applied(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Applied.class);
        return ((Outcome.Applied) outcome).state();
    }

    private static RejectionReason rejected(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
        return ((Outcome.Rejected) outcome).reason();
    }

    /** Given these events, the state after folding them all (each must apply). */
    private JobState given(JobEvent... events) {
        JobState state = null;
        for (JobEvent event : events) {
            state = applied(JobLifecycle.evolve(state, event));
        }
        return state;
    }

    @Test
    void submissionCreatesQueuedJobAtVersionOne() {
        JobState state = given(submitted());

        assertThat(state.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(state.version()).isEqualTo(1);
        assertThat(state.attempt()).isEqualTo(1);
        assertThat(state.owner()).isEqualTo("alice");
        assertThat(state.createdAt()).isEqualTo(T0);
        assertThat(state.deadline()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(state.metadata()).containsEntry("tier", JSON.textNode("gold"));
        assertThat(state.recentEventIds()).containsExactly(JOB + "/submit");
    }

    @Test
    void submissionChangeHasNoPreviousStatus() {
        var outcome = (Outcome.Applied) JobLifecycle.evolve(null, submitted());

        assertThat(outcome.change().version()).isEqualTo(1);
        assertThat(outcome.change().previousStatus()).isNull();
        assertThat(outcome.change().causeEventType()).isEqualTo("job.submitted");
    }

    @Test
    void rejectsReportForUnknownJob() {
        assertThat(rejected(JobLifecycle.evolve(null, report(JobStatus.RUNNING, null)))).isEqualTo(RejectionReason.UNKNOWN_JOB);
    }

    @Test
    void rejectsSecondSubmissionOfSameJob() {
        JobState state = given(submitted());
        var again = new JobEvent.Submitted("e-other", JOB, T0, T0, EventSource.user("alice"), "alice", "x", null, null, null, null, null, null, null);

        assertThat(rejected(JobLifecycle.evolve(state, again))).isEqualTo(RejectionReason.JOB_EXISTS);
    }

    @Test
    void runningReportStartsTheJobAndIncrementsVersion() {
        JobEvent.ReportReceived running = report(JobStatus.RUNNING, 0.25);
        var outcome = (Outcome.Applied) JobLifecycle.evolve(given(submitted()), running);

        assertThat(outcome.state().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(outcome.state().version()).isEqualTo(2);
        assertThat(outcome.state().startedAt()).isEqualTo(running.receivedAt());
        assertThat(outcome.change().previousStatus()).isEqualTo(JobStatus.QUEUED);
        assertThat(outcome.change().changed()).containsExactly("status", "progress", "startedAt");
    }

    @Test
    void successSetsResultFullProgressAndFinishTime() {
        var success = new JobEvent.ReportReceived("e-done", JOB, T0.plusSeconds(9), T0.plusSeconds(9), EventSource.service("w"),
                JobStatus.SUCCEEDED, null, "done", null, JSON.objectNode().put("url", "https://x/y.png"), null);

        JobState state = given(submitted(), report(JobStatus.RUNNING, 0.5), success);

        assertThat(state.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(state.progress()).isEqualTo(1.0);
        assertThat(state.result().get("url").asText()).isEqualTo("https://x/y.png");
        assertThat(state.finishedAt()).isEqualTo(T0.plusSeconds(9));
        assertThat(state.version()).isEqualTo(3);
    }

    @Test
    void failureWithoutErrorGetsAGenericOne() {
        JobState state = given(submitted(), report(JobStatus.FAILED, null));

        assertThat(state.status()).isEqualTo(JobStatus.FAILED);
        assertThat(state.error()).isEqualTo(new JobError("failed", "the worker reported failure", false));
    }

    @Test
    void terminalStatusAbsorbsLaterEvents() {
        JobState done = given(submitted(), report(JobStatus.SUCCEEDED, null));

        assertThat(rejected(JobLifecycle.evolve(done, report(JobStatus.RUNNING, 0.1)))).isEqualTo(RejectionReason.JOB_TERMINAL);
        assertThat(rejected(JobLifecycle.evolve(done, report(JobStatus.FAILED, null)))).isEqualTo(RejectionReason.JOB_TERMINAL);
    }

    @Test
    void sameEventIdAppliesOnce() {
        JobEvent.ReportReceived running = report(JobStatus.RUNNING, 0.3);
        JobState state = given(submitted(), running);

        assertThat(rejected(JobLifecycle.evolve(state, running))).isEqualTo(RejectionReason.DUPLICATE);
    }

    @Test
    void progressIsClampedAndNeverMovesBackwards() {
        JobState state = given(submitted(), report(JobStatus.RUNNING, 0.6));

        assertThat(rejected(JobLifecycle.evolve(state, report(null, 0.4)))).isEqualTo(RejectionReason.NO_CHANGE);
        assertThat(applied(JobLifecycle.evolve(state, report(null, 7.0))).progress()).isEqualTo(1.0);
    }

    @Test
    void reportThatChangesNothingIsNotAChange() {
        JobState state = given(submitted(), report(JobStatus.RUNNING, 0.5));

        assertThat(rejected(JobLifecycle.evolve(state, report(JobStatus.RUNNING, 0.5)))).isEqualTo(RejectionReason.NO_CHANGE);
    }

    @Test
    void reportCannotRequeueCancelOrExpire() {
        JobState state = given(submitted());

        for (JobStatus status : List.of(JobStatus.QUEUED, JobStatus.CANCELED, JobStatus.EXPIRED)) {
            assertThat(rejected(JobLifecycle.evolve(state, report(status, null)))).isEqualTo(RejectionReason.INVALID_TRANSITION);
        }
    }

    @Test
    void metadataPatchSetsAndRemovesKeys() {
        var patch = new JobEvent.ReportReceived("e-meta", JOB, T0, T0, EventSource.service("w"), null, null, null,
                Map.of("seed", JSON.numberNode(42), "tier", NullNode.getInstance()), null, null);

        JobState state = given(submitted(), patch);

        assertThat(state.metadata()).containsOnlyKeys("seed");
        assertThat(state.metadata().get("seed").asInt()).isEqualTo(42);
    }

    @Test
    void eventIdMemoryIsBounded() {
        JobState state = given(submitted());
        JobEvent last = null;
        for (int i = 0; i < JobLifecycle.EVENT_ID_MEMORY + 10; i++) {
            last = report(JobStatus.RUNNING, (i + 1) / 1000.0);
            state = applied(JobLifecycle.evolve(state, last));
        }

        assertThat(state.recentEventIds()).hasSize(JobLifecycle.EVENT_ID_MEMORY);
        assertThat(state.recentEventIds().getLast()).isEqualTo(last.eventId());
    }

    @Test
    void foldIsDeterministic() {
        List<JobEvent> log = List.of(submitted(), report(JobStatus.RUNNING, 0.2), report(null, 0.7), report(JobStatus.SUCCEEDED, null));

        JobState first = null;
        JobState second = null;
        for (JobEvent event : log) {
            first = applied(JobLifecycle.evolve(first, event));
        }
        for (JobEvent event : log) {
            second = applied(JobLifecycle.evolve(second, event));
        }
        assertThat(second).isEqualTo(first);
    }

    private JobEvent.CancelRequested cancel(String by) {
        return events.cancel(by);
    }

    private JobEvent.RetryRequested retry() {
        return events.retry();
    }

    @Test
    void cancelEndsAJobAndRecordsWhoAsked() {
        JobEvent.CancelRequested cancel = cancel("bob");
        JobState state = given(submitted(), report(JobStatus.RUNNING, 0.3), cancel);

        assertThat(state.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(state.cancelRequestedBy()).isEqualTo("bob");
        assertThat(state.finishedAt()).isEqualTo(cancel.receivedAt());
        assertThat(state.message()).isEqualTo("no longer needed");
    }

    @Test
    void cancelOfTerminalJobIsRejected() {
        JobState done = given(submitted(), report(JobStatus.SUCCEEDED, null));

        assertThat(rejected(JobLifecycle.evolve(done, cancel("bob")))).isEqualTo(RejectionReason.JOB_TERMINAL);
    }

    @Test
    void reportAfterCancelIsRejected() {
        JobState canceled = given(submitted(), cancel("bob"));

        assertThat(rejected(JobLifecycle.evolve(canceled, report(JobStatus.RUNNING, 0.9)))).isEqualTo(RejectionReason.JOB_TERMINAL);
    }

    @Test
    void retryOfFailedJobStartsANewAttemptFromScratch() {
        JobEvent.RetryRequested retry = retry();
        JobState state = given(submitted(), report(JobStatus.RUNNING, 0.7), report(JobStatus.FAILED, null), retry);

        assertThat(state.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(state.attempt()).isEqualTo(2);
        assertThat(state.progress()).isZero();
        assertThat(state.error()).isNull();
        assertThat(state.startedAt()).isNull();
        assertThat(state.finishedAt()).isNull();
        assertThat(state.deadline()).isEqualTo(retry.receivedAt().plus(Duration.ofMinutes(10)));
        assertThat(state.version()).isEqualTo(4);
    }

    @Test
    void progressOfANewAttemptStartsFromZero() {
        JobState retried = given(submitted(), report(JobStatus.RUNNING, 0.9), cancel("bob"), retry());

        assertThat(applied(JobLifecycle.evolve(retried, report(JobStatus.RUNNING, 0.1))).progress()).isEqualTo(0.1);
    }

    @Test
    void retryOfCanceledJobClearsWhoCanceled() {
        JobState state = given(submitted(), cancel("bob"), retry());

        assertThat(state.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(state.cancelRequestedBy()).isNull();
    }

    @Test
    void retryIsRejectedUnlessTheJobFailedExpiredOrWasCanceled() {
        assertThat(rejected(JobLifecycle.evolve(given(submitted()), retry()))).isEqualTo(RejectionReason.INVALID_TRANSITION);
        JobState running = given(submitted(), report(JobStatus.RUNNING, null));
        assertThat(rejected(JobLifecycle.evolve(running, retry()))).isEqualTo(RejectionReason.INVALID_TRANSITION);
        JobState succeeded = given(submitted(), report(JobStatus.SUCCEEDED, null));
        assertThat(rejected(JobLifecycle.evolve(succeeded, retry()))).isEqualTo(RejectionReason.INVALID_TRANSITION);
    }

    @Test
    void partialResultMayArriveBeforeSuccess() {
        JobState state = given(submitted(), events.report(JobStatus.RUNNING, 0.5, null, JSON.objectNode().put("frames", 12)));

        assertThat(state.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(state.result().get("frames").asInt()).isEqualTo(12);
    }

    @Test
    void callbackMovesTheJobAndRecordsTheProvider() {
        JobState state = given(submitted(), events.callback("d-1", JobStatus.RUNNING, "processing"));

        assertThat(state.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(state.provider()).as("the request is only proposed").isEqualTo(new JobProvider("replicate", null, "processing"));
        assertThat(state.startedAt()).isEqualTo(JobEvents.at(1));
        assertThat(applied(JobLifecycle.evolve(state, events.claimed("pred-1"))).provider()).isEqualTo(new JobProvider("replicate", "pred-1", "processing"));
    }

    @Test
    void aSubmissionOnlyProposesItsRequestUntilTheClaimIsGranted() {
        JobState submitted = given(events.submittedWithRequest("pred-1"));

        assertThat(submitted.provider()).isEqualTo(new JobProvider("replicate", null, null));
        Outcome granted = JobLifecycle.evolve(submitted, events.claimed("pred-1"));
        assertThat(((Outcome.Applied) granted).state().provider().requestId()).isEqualTo("pred-1");
        assertThat(((Outcome.Applied) granted).change().changed()).containsExactly("provider");
    }

    @Test
    void aJobKeepsTheRequestItWasGrantedFirst() {
        JobState holding = given(events.submittedWithRequest("pred-1"), events.claimed("pred-1"));

        assertThat(rejected(JobLifecycle.evolve(holding, events.claimed("pred-1")))).isEqualTo(RejectionReason.NO_CHANGE);
        assertThat(rejected(JobLifecycle.evolve(holding, events.claimed("pred-2")))).isEqualTo(RejectionReason.REQUEST_MISMATCH);
    }

    @Test
    void aCallbackAboutAnotherRequestThanTheJobHoldsIsRequestMismatch() {
        JobState holding = given(events.submittedWithRequest("pred-2"), events.claimed("pred-2"));

        Outcome outcome = JobLifecycle.evolve(holding, events.callback("d-1", JobStatus.SUCCEEDED, "succeeded"));

        assertThat(rejected(outcome)).isEqualTo(RejectionReason.REQUEST_MISMATCH);
        assertThat(((Outcome.Rejected) outcome).detail()).contains("pred-1").contains("pred-2");
    }

    @Test
    void redeliveredCallbackAppliesOnceEvenUnderANewEventId() {
        JobState state = given(submitted(), events.callback("d-1", JobStatus.RUNNING, "processing"));

        Outcome redelivered = JobLifecycle.evolve(state, events.callback("d-1", JobStatus.RUNNING, "processing"));

        assertThat(rejected(redelivered)).isEqualTo(RejectionReason.DUPLICATE);
    }

    @Test
    void redeliveredSuccessCallbackIsADuplicateNotALateEvent() {
        JobState done = given(submitted(), events.callback("d-9", JobStatus.SUCCEEDED, "succeeded"));

        assertThat(rejected(JobLifecycle.evolve(done, events.callback("d-9", JobStatus.SUCCEEDED, "succeeded"))))
                .isEqualTo(RejectionReason.DUPLICATE);
    }

    @Test
    void sameDeliveryIdFromAnotherProviderIsNotADuplicate() {
        JobState state = given(submitted(), events.callback("d-1", JobStatus.RUNNING, "processing"));
        JobEvent.CallbackReceived other = events.callback("d-1", JobStatus.RUNNING, "processing");
        var fromFal = new JobEvent.CallbackReceived(other.eventId(), JOB, other.occurredAt(), other.receivedAt(),
                EventSource.provider("fal"), "fal", "d-1", "v1a",
                new ProviderObservation(JobStatus.RUNNING, "IN_PROGRESS", "req-1", null, null, null, null), other.raw());

        assertThat(applied(JobLifecycle.evolve(state, fromFal)).provider().rawStatus()).isEqualTo("IN_PROGRESS");
    }

    @Test
    void observationOfAnEarlierStageIsStale() {
        JobState running = given(submitted(), events.callback("d-2", JobStatus.RUNNING, "processing"));

        Outcome late = JobLifecycle.evolve(running, events.callback("d-1", JobStatus.QUEUED, "starting"));

        assertThat(rejected(late)).isEqualTo(RejectionReason.STALE);
    }

    @Test
    void runningAfterSucceededNeverResurrectsAJob() {
        JobState done = given(submitted(), events.callback("d-3", JobStatus.SUCCEEDED, "succeeded"));

        assertThat(rejected(JobLifecycle.evolve(done, events.callback("d-2", JobStatus.RUNNING, "processing"))))
                .isEqualTo(RejectionReason.JOB_TERMINAL);
        assertThat(rejected(JobLifecycle.evolve(done, events.poll(JobStatus.RUNNING, "IN_PROGRESS"))))
                .isEqualTo(RejectionReason.JOB_TERMINAL);
    }

    @Test
    void newRawStatusOfTheSameStageIsAChange() {
        JobState inProgress = given(submitted(), events.poll(JobStatus.RUNNING, "in_progress"));

        var outcome = (Outcome.Applied) JobLifecycle.evolve(inProgress, events.poll(JobStatus.RUNNING, "finalizing"));

        assertThat(outcome.state().provider().rawStatus()).isEqualTo("finalizing");
        assertThat(outcome.change().changed()).containsExactly("provider");
    }

    @Test
    void observationWithNothingNewIsNoChange() {
        JobState state = given(submitted(), events.poll(JobStatus.RUNNING, "IN_PROGRESS"));

        assertThat(rejected(JobLifecycle.evolve(state, events.poll(JobStatus.RUNNING, "IN_PROGRESS"))))
                .isEqualTo(RejectionReason.NO_CHANGE);
    }

    @Test
    void thinCallbackWithoutAStatusIsNoChange() {
        JobState state = given(submitted(), events.callback("d-1", JobStatus.RUNNING, "processing"));

        assertThat(rejected(JobLifecycle.evolve(state, events.callback("d-5",
                new ProviderObservation(null, null, null, null, null, null, null))))).isEqualTo(RejectionReason.NO_CHANGE);
    }

    @Test
    void thinCallbackWithAStatusUrlStartsPollingAJobThatIsNotPolled() {
        JobState state = given(submitted(), events.callback("d-1", JobStatus.RUNNING, "in_progress"));
        String url = "https://api.openai.com/v1/batches/batch_1";
        var thin = new ProviderObservation(null, null, "batch_1", null, null, null, null, null, url);

        var outcome = (Outcome.Applied) JobLifecycle.evolve(state, events.callback("d-2", thin));

        assertThat(outcome.state().poll()).isEqualTo(new JobPoll("replicate", url, null, JobPoll.DEFAULT_INTERVAL, null));
        assertThat(outcome.change().changed()).contains("poll");
        assertThat(rejected(JobLifecycle.evolve(outcome.state(), events.callback("d-3", thin)))).isEqualTo(RejectionReason.NO_CHANGE);
    }

    @Test
    void callbackWithAStatusNeverStartsPolling() {
        var full = new ProviderObservation(JobStatus.RUNNING, "processing", "p1", null, null, null, null, null,
                "https://api.replicate.com/v1/predictions/p1");

        assertThat(given(submitted(), events.callback("d-1", full)).poll()).isNull();
    }

    @Test
    void providerMetricsAreKeptWithTheProvider() {
        var metrics = JsonNodeFactory.instance.objectNode().put("predict_time", 1.9);
        var done = new ProviderObservation(JobStatus.SUCCEEDED, "succeeded", "p1", 1.0, null, null, null, metrics, null);

        assertThat(given(submitted(), events.callback("d-1", done)).provider().metrics()).isEqualTo(metrics);
    }

    @Test
    void providerMayCancelOrExpireAJob() {
        assertThat(given(submitted(), events.callback("d-1", JobStatus.CANCELED, "canceled")).status())
                .isEqualTo(JobStatus.CANCELED);
        JobState expired = given(new JobEvents("job-2").submitted(), new JobEvents("job-2").poll(JobStatus.EXPIRED, "expired"));
        assertThat(expired.status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(expired.error().code()).isEqualTo("expired");
        assertThat(expired.error().retryable()).isTrue();
    }

    @Test
    void providerFailureKeepsTheProvidersError() {
        JobState failed = given(submitted(), events.pollFailed("nsfw-detected"));

        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.error()).isEqualTo(new JobError("nsfw-detected", "the engine failed", true));
        assertThat(failed.provider().rawStatus()).isEqualTo("ERROR");
    }

    @Test
    void passedDeadlineExpiresAnUnfinishedJob() {
        JobState running = given(submitted(), report(JobStatus.RUNNING, 0.4));
        JobEvent.DeadlinePassed passed = events.deadlinePassed(running);

        var outcome = (Outcome.Applied) JobLifecycle.evolve(running, passed);

        assertThat(outcome.state().status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(outcome.state().error().code()).isEqualTo(JobLifecycle.DEADLINE_EXCEEDED);
        assertThat(outcome.state().error().retryable()).isTrue();
        assertThat(outcome.state().finishedAt()).isEqualTo(passed.receivedAt());
        assertThat(outcome.change().causeEventType()).isEqualTo("job.deadline-passed");
    }

    @Test
    void deadlineOfAnEarlierAttemptIsStale() {
        JobState first = given(submitted());
        JobEvent.DeadlinePassed firstDeadline = events.deadlinePassed(first);
        JobState retried = given(submitted(), firstDeadline, retry());

        JobEvent.DeadlinePassed replayed = events.deadlinePassed(first.attempt(), first.deadline());

        assertThat(retried.attempt()).isEqualTo(2);
        assertThat(rejected(JobLifecycle.evolve(retried, replayed))).isEqualTo(RejectionReason.STALE);
    }

    @Test
    void deadlineOfAFinishedJobIsRejected() {
        JobState queued = given(submitted());
        JobState done = given(submitted(), report(JobStatus.SUCCEEDED, null));

        assertThat(rejected(JobLifecycle.evolve(done, events.deadlinePassed(queued)))).isEqualTo(RejectionReason.JOB_TERMINAL);
    }

    @Test
    void expiredJobCanBeRetriedWithAFreshDeadline() {
        JobState expired = given(submitted(), events.deadlinePassed(given(submitted())));
        JobEvent.RetryRequested retry = retry();

        JobState retried = applied(JobLifecycle.evolve(expired, retry));

        assertThat(retried.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(retried.deadline()).isEqualTo(retry.receivedAt().plus(JobEvents.TIMEOUT));
    }

    @Test
    void retryForgetsTheProviderOfTheEndedAttempt() {
        JobState retried = given(submitted(), events.callback("d-1", JobStatus.FAILED, "failed"), retry());

        assertThat(retried.provider()).isNull();
    }

    @Test
    void aPollRequestStartsPollingOnceForAStatusUrl() {
        JobState polled = given(submitted(), events.pollRequested("https://engine.example/status/1"));

        assertThat(polled.poll().statusUrl()).isEqualTo("https://engine.example/status/1");
        assertThat(polled.version()).isEqualTo(2);
        assertThat(rejected(JobLifecycle.evolve(polled, events.pollRequested("https://engine.example/status/1"))))
                .isEqualTo(RejectionReason.ALREADY_POLLING);
        assertThat(applied(JobLifecycle.evolve(polled, events.pollRequested("https://engine.example/status/2"))).poll().statusUrl())
                .endsWith("/2");
    }

    @Test
    void aNewAttemptIsNotPolledUntilAskedAgain() {
        JobState retried = given(submitted(), events.pollRequested("https://engine.example/status/1"),
                report(JobStatus.FAILED, null), retry());

        assertThat(retried.poll()).isNull();
    }

    /** A report that sets one metadata key to a string of {@code length} characters. */
    private JobEvent.ReportReceived metadataReport(String eventId, String key, int length) {
        return new JobEvent.ReportReceived(eventId, JOB, T0.plusSeconds(5), T0.plusSeconds(5), EventSource.service("w"), null,
                null, null, Map.of(key, JSON.textNode("m".repeat(length))), null, null);
    }

    @Test
    void refusesAReportThatWouldGrowTheStatePastItsMaximumAndKeepsThePreviousState() {
        JobState state = given(submitted());
        int max = io.jobpulse.events.JobJson.write(state).length + 3_000;

        JobState grown = applied(JobLifecycle.evolve(state, metadataReport("e-1", "a", 2_000), max));
        Outcome outcome = JobLifecycle.evolve(grown, metadataReport("e-2", "b", 2_000), max);

        assertThat(rejected(outcome)).isEqualTo(RejectionReason.STATE_TOO_LARGE);
        assertThat(RejectionReason.STATE_TOO_LARGE.code()).isEqualTo("state-too-large");
        assertThat(((Outcome.Rejected) outcome).detail()).contains("bytes", String.valueOf(max), "previous state");
    }

    @Test
    void aStateAtItsMaximumMayStillShrinkEndOrChangeWithoutGrowing() {
        JobState state = given(submitted());
        int max = io.jobpulse.events.JobJson.write(state).length + 3_000;
        JobState full = applied(JobLifecycle.evolve(state, metadataReport("e-1", "a", 2_900), max));

        var removal = new JobEvent.ReportReceived("e-2", JOB, T0.plusSeconds(6), T0.plusSeconds(6), EventSource.service("w"), null,
                null, null, Map.of("a", NullNode.getInstance()), null, null);
        assertThat(applied(JobLifecycle.evolve(full, removal, max)).metadata()).doesNotContainKey("a");

        var cancel = new JobEvent.CancelRequested("e-3", JOB, T0.plusSeconds(7), T0.plusSeconds(7), EventSource.user("alice"),
                "r".repeat(500));
        assertThat(applied(JobLifecycle.evolve(full, cancel, io.jobpulse.events.JobJson.write(full).length)).status())
                .as("a cancel ends a job even past its maximum").isEqualTo(JobStatus.CANCELED);
    }

    @Test
    void refusesASubmissionWhoseStateIsLargerThanTheMaximum() {
        assertThat(rejected(JobLifecycle.evolve(null, submitted(), 100))).isEqualTo(RejectionReason.STATE_TOO_LARGE);
    }
}
