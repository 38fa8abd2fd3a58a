package io.jobpulse.topology;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.StatusChange;
import io.jobpulse.processors.JobEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.jobpulse.events.JobStatus.CANCELED;
import static io.jobpulse.events.JobStatus.EXPIRED;
import static io.jobpulse.events.JobStatus.FAILED;
import static io.jobpulse.events.JobStatus.QUEUED;
import static io.jobpulse.events.JobStatus.RUNNING;
import static io.jobpulse.events.JobStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every transition, rejection and dedupe rule of the lifecycle, through the real topology:
 * given these events, when this one, then this change on {@code jobpulse.job-status} (status and
 * version) or this reason on {@code jobpulse.job-events-rejected} with the stored state untouched.
 */
class JobLifecycleScenariosTest {

    private static final String JOB = "job-1";
    private TopologyHarness topology;

    /** One row of the table; {@code then} is {@code <status>@<version>} or {@code rejected:<reason>}. */
    record Scenario(String name, Function<JobEvents, List<JobEvent>> given, Function<JobEvents, JobEvent> when, String then) {
        @Override
        public String toString() {
            return name + " -> " + then;
        }
    }

    private static Scenario scenario(String name, Function<JobEvents, List<JobEvent>> given,
                                     Function<JobEvents, JobEvent> when, String then) {
        return new Scenario(name, given, when, then);
    }

    private static Function<JobEvents, List<JobEvent>> submittedThen(Function<JobEvents, List<JobEvent>> more) {
        return e -> Stream.concat(Stream.of(e.submitted()), more.apply(e).stream()).toList();
    }

    private static final Function<JobEvents, List<JobEvent>> NOTHING = e -> List.of();
    private static final Function<JobEvents, List<JobEvent>> QUEUED_JOB = submittedThen(e -> List.of());
    private static final Function<JobEvents, List<JobEvent>> RUNNING_JOB =
            submittedThen(e -> List.of(e.report(RUNNING, 0.5)));
    private static final Function<JobEvents, List<JobEvent>> SUCCEEDED_JOB =
            submittedThen(e -> List.of(e.report(SUCCEEDED, null)));
    private static final Function<JobEvents, List<JobEvent>> FAILED_JOB =
            submittedThen(e -> List.of(e.report(RUNNING, 0.5), e.report(FAILED, null)));
    private static final Function<JobEvents, List<JobEvent>> CANCELED_JOB = submittedThen(e -> List.of(e.cancel("bob")));
    private static final Function<JobEvents, List<JobEvent>> EXPIRED_JOB =
            submittedThen(e -> List.of(e.deadlinePassed(1, JobEvents.T0.plus(JobEvents.TIMEOUT))));

    static Stream<Scenario> scenarios() {
        return Stream.of(
                // transitions
                scenario("a submission", NOTHING, JobEvents::submitted, "queued@1"),
                scenario("a running report on a queued job", QUEUED_JOB, e -> e.report(RUNNING, 0.1), "running@2"),
                scenario("a success report on a queued job", QUEUED_JOB, e -> e.report(SUCCEEDED, null), "succeeded@2"),
                scenario("a progress report on a running job", RUNNING_JOB, e -> e.report(null, 0.8), "running@3"),
                scenario("a failure report on a running job", RUNNING_JOB, e -> e.report(FAILED, null), "failed@3"),
                scenario("a cancel of a queued job", QUEUED_JOB, e -> e.cancel("bob"), "canceled@2"),
                scenario("a cancel of a running job", RUNNING_JOB, e -> e.cancel("bob"), "canceled@3"),
                scenario("a retry of a failed job", FAILED_JOB, JobEvents::retry, "queued@4"),
                scenario("a retry of a canceled job", CANCELED_JOB, JobEvents::retry, "queued@3"),
                scenario("a retry of an expired job", EXPIRED_JOB, JobEvents::retry, "queued@3"),
                scenario("a provider's queued on a queued job", QUEUED_JOB, e -> e.callback("d-1", QUEUED, "starting"), "queued@2"),
                scenario("a provider's running on a queued job", QUEUED_JOB, e -> e.callback("d-1", RUNNING, "processing"), "running@2"),
                scenario("a provider's success on a running job", RUNNING_JOB, e -> e.callback("d-1", SUCCEEDED, "succeeded"), "succeeded@3"),
                scenario("a provider's cancel of a running job", RUNNING_JOB, e -> e.callback("d-1", CANCELED, "canceled"), "canceled@3"),
                scenario("a polled failure of a running job", RUNNING_JOB, e -> e.pollFailed("engine-error"), "failed@3"),
                scenario("a polled expiry of a running job", RUNNING_JOB, e -> e.poll(EXPIRED, "expired"), "expired@3"),
                scenario("a polled new raw status of the same stage", submittedThen(e -> List.of(e.poll(RUNNING, "in_progress"))),
                        e -> e.poll(RUNNING, "finalizing"), "running@4"), // 3: the grant of the first poll's request
                scenario("a passed deadline of a queued job", QUEUED_JOB,
                        e -> e.deadlinePassed(1, JobEvents.T0.plus(JobEvents.TIMEOUT)), "expired@2"),
                scenario("a passed deadline of a running job", RUNNING_JOB,
                        e -> e.deadlinePassed(1, JobEvents.T0.plus(JobEvents.TIMEOUT)), "expired@3"),
                scenario("a poll request on a running job", RUNNING_JOB, e -> e.pollRequested("https://engine.example/s/1"), "running@3"),
                // rejections
                scenario("a report for an unknown job", NOTHING, e -> e.report(RUNNING, null), "rejected:unknown-job"),
                scenario("a callback for an unknown job", NOTHING, e -> e.callback("d-1", RUNNING, "processing"), "rejected:unknown-job"),
                scenario("a second submission", QUEUED_JOB, JobEvents::resubmitted, "rejected:job-exists"),
                scenario("a report after success", SUCCEEDED_JOB, e -> e.report(RUNNING, 0.9), "rejected:job-terminal"),
                scenario("a provider's running after success", SUCCEEDED_JOB, e -> e.callback("d-2", RUNNING, "processing"), "rejected:job-terminal"),
                scenario("a cancel after success", SUCCEEDED_JOB, e -> e.cancel("bob"), "rejected:job-terminal"),
                scenario("a report after cancel", CANCELED_JOB, e -> e.report(RUNNING, 0.9), "rejected:job-terminal"),
                scenario("a passed deadline after success", SUCCEEDED_JOB,
                        e -> e.deadlinePassed(1, JobEvents.T0.plus(JobEvents.TIMEOUT)), "rejected:job-terminal"),
                scenario("a report that requeues", RUNNING_JOB, e -> e.report(QUEUED, null), "rejected:invalid-transition"),
                scenario("a report that cancels", RUNNING_JOB, e -> e.report(CANCELED, null), "rejected:invalid-transition"),
                scenario("a report that expires", RUNNING_JOB, e -> e.report(EXPIRED, null), "rejected:invalid-transition"),
                scenario("a retry of a queued job", QUEUED_JOB, JobEvents::retry, "rejected:invalid-transition"),
                scenario("a retry of a running job", RUNNING_JOB, JobEvents::retry, "rejected:invalid-transition"),
                scenario("a retry of a succeeded job", SUCCEEDED_JOB, JobEvents::retry, "rejected:invalid-transition"),
                scenario("a provider's queued after its running", submittedThen(e -> List.of(e.callback("d-2", RUNNING, "processing"))),
                        e -> e.callback("d-1", QUEUED, "starting"), "rejected:stale"),
                scenario("a deadline of the attempt before a retry", submittedThen(e -> List.of(
                                e.deadlinePassed(1, JobEvents.T0.plus(JobEvents.TIMEOUT)), e.retry())),
                        e -> e.deadlinePassed(1, JobEvents.T0.plus(JobEvents.TIMEOUT)), "rejected:stale"),
                scenario("a second poll request of the same URL", submittedThen(e -> List.of(e.pollRequested("https://engine.example/s/1"))),
                        e -> e.pollRequested("https://engine.example/s/1"), "rejected:already-polling"),
                scenario("a poll request after success", SUCCEEDED_JOB, e -> e.pollRequested("https://engine.example/s/1"), "rejected:job-terminal"),
                scenario("a report of the same progress", RUNNING_JOB, e -> e.report(RUNNING, 0.5), "rejected:no-change"),
                scenario("a report of lower progress", RUNNING_JOB, e -> e.report(null, 0.2), "rejected:no-change"),
                scenario("a callback without a status", submittedThen(e -> List.of(e.callback("d-1", RUNNING, "processing"))),
                        e -> e.callback("d-2", new ProviderObservation(null, null, null, null, null, null, null)), "rejected:no-change"),
                // dedupe
                scenario("the same event twice", QUEUED_JOB, e -> new JobEvents(JOB).submitted(), "rejected:duplicate"),
                scenario("the same report twice", submittedThen(e -> List.of(e.report(RUNNING, 0.5))),
                        e -> new JobEvents(JOB).report(RUNNING, 0.5), "rejected:duplicate"),
                scenario("a redelivered webhook under a new event id", submittedThen(e -> List.of(e.callback("d-1", RUNNING, "processing"))),
                        e -> e.callback("d-1", SUCCEEDED, "succeeded"), "rejected:duplicate"),
                scenario("a redelivered final webhook", submittedThen(e -> List.of(e.callback("d-9", SUCCEEDED, "succeeded"))),
                        e -> e.callback("d-9", SUCCEEDED, "succeeded"), "rejected:duplicate"));
    }

    @BeforeEach
    void start() {
        topology = new TopologyHarness(JobEvents.T0);
    }

    @AfterEach
    void stop() {
        topology.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void appliesTheRule(Scenario scenario) {
        JobEvents events = new JobEvents(JOB);
        topology.send(scenario.given().apply(events));
        JobState before = topology.state(JOB);
        topology.drain();

        topology.send(scenario.when().apply(events));

        List<StatusChange> all = topology.status.readValuesToList();
        // A provider request the event names is granted by the callback router as a change of its own, after it.
        List<StatusChange> grants = all.stream()
                .filter(c -> c.causeEventType().equals(JobEvent.ProviderRequestClaimed.WIRE_NAME)).toList();
        List<StatusChange> changes = all.stream().filter(c -> !grants.contains(c)).toList();
        List<RejectedEvent> rejections = topology.rejected.readValuesToList();
        if (scenario.then().startsWith("rejected:")) {
            assertThat(changes).isEmpty();
            assertThat(rejections).extracting(RejectedEvent::reason).containsExactly(scenario.then().substring("rejected:".length()));
            assertThat(topology.state(JOB)).isEqualTo(before);
        } else {
            assertThat(rejections).isEmpty();
            assertThat(changes).hasSize(1);
            StatusChange change = changes.getFirst();
            assertThat(change.status() + "@" + change.version()).isEqualTo(scenario.then());
            assertThat(change.previousStatus()).isEqualTo(before == null ? null : before.status());
            assertThat(topology.state(JOB)).isEqualTo(grants.isEmpty() ? change.job() : grants.getLast().job());
        }
    }
}
