package io.jobpulse.topology;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.processors.JobEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Callbacks that name only their provider request reach the job that claimed it: at once when it
 * is known, after a wait when the claim comes later, and not at all (refused) when none comes.
 * A request belongs to the first job that claims it: the claim is granted to the job as a change
 * of its own (the request id appears in its state), and a later claim by another job is refused
 * as {@code request-claimed}.
 */
class CallbackRoutingTest {

    private TopologyHarness topology;
    private final JobEvents job = new JobEvents("job-r");
    private final JobEvents thief = new JobEvents("job-t");

    @BeforeEach
    void start() {
        topology = new TopologyHarness(JobEvents.T0);
    }

    @AfterEach
    void stop() {
        topology.close();
    }

    /** A "processing" webhook for the request, as ingest writes it when the URL names no job. */
    private void callbackFor(String requestId, String deliveryId, JobStatus status, String raw) {
        JobEvent.CallbackReceived callback = job.callback(deliveryId,
                new ProviderObservation(status, raw, requestId, null, null, null, null)).forJob("");
        topology.callbacks.pipeInput("replicate:" + requestId, JobJson.write(callback));
    }

    private List<String> changes() {
        return topology.status.readValuesToList().stream().map(c -> c.status() + "@" + c.version()).toList();
    }

    private List<String> changesOf(String jobId) {
        return topology.status.readRecordsToList().stream().filter(r -> r.key().equals(jobId))
                .map(r -> r.value().status() + "@" + r.value().version() + ":" + r.value().causeEventType()).toList();
    }

    @Test
    void routesACallbackToTheJobThatClaimedItsRequest() {
        topology.send(job.submittedWithRequest("pred-1"));

        callbackFor("pred-1", "d-1", JobStatus.RUNNING, "processing");

        assertThat(changes()).as("submitted, request granted, callback").containsExactly("queued@1", "queued@2", "running@3");
        assertThat(topology.state("job-r").provider().rawStatus()).isEqualTo("processing");
        assertThat(topology.state("job-r").provider().requestId()).isEqualTo("pred-1");
    }

    @Test
    void holdsACallbackThatArrivesBeforeItsRequestIsClaimed() {
        callbackFor("pred-2", "d-1", JobStatus.RUNNING, "processing");
        assertThat(topology.status.isEmpty()).isTrue();

        topology.send(job.submittedWithRequest("pred-2"));

        assertThat(changes()).containsExactly("queued@1", "queued@2", "running@3");
    }

    @Test
    void refusesACallbackThatNoJobClaimsWithinTheWait() {
        callbackFor("pred-3", "d-1", JobStatus.SUCCEEDED, "succeeded");

        topology.driver.advanceWallClockTime(Duration.ofMinutes(11));

        RejectedEvent refused = topology.rejected.readValue();
        assertThat(refused.reason()).isEqualTo("unknown-request");
        assertThat(refused.jobId()).isEqualTo("replicate:pred-3");
        assertThat(topology.status.isEmpty()).isTrue();
    }

    @Test
    void aRequestLearnedFromACallbackRoutesTheNextOnes() {
        topology.send(job.submitted());
        topology.send(job.callback("d-1", JobStatus.RUNNING, "processing"));

        callbackFor("pred-1", "d-2", JobStatus.SUCCEEDED, "succeeded");

        assertThat(changes()).containsExactly("queued@1", "running@2", "running@3", "succeeded@4");
    }

    @Test
    void aRecordThatIsNotACallbackIsRefusedAndRoutingGoesOn() {
        topology.callbacks.pipeInput("replicate:pred-9", "{not json".getBytes(StandardCharsets.UTF_8));
        topology.send(job.submittedWithRequest("pred-9"));
        callbackFor("pred-9", "d-1", JobStatus.RUNNING, "processing");

        assertThat(topology.rejected.readValue().reason()).isEqualTo("malformed");
        assertThat(changes()).containsExactly("queued@1", "queued@2", "running@3");
    }

    @Test
    void aSecondJobClaimingTheSameRequestIsRefusedAndDoesNotGetIt() {
        topology.send(job.submittedWithRequest("pred-v"));
        topology.drain();

        topology.send(thief.submittedWithRequest("pred-v"));

        RejectedEvent refused = topology.rejected.readValue();
        assertThat(refused.reason()).isEqualTo("request-claimed");
        assertThat(refused.jobId()).isEqualTo("job-t");
        assertThat(refused.detail()).contains("replicate:pred-v").doesNotContain("job-r");
        assertThat(topology.state("job-t").provider().requestId()).as("the thief's state").isNull();
        assertThat(topology.state("job-r").provider().requestId()).isEqualTo("pred-v");
        assertThat(topology.requests.readKeyValuesToList()).as("the owner's claim is written back after the refused one")
                .last().satisfies(claim -> assertThat(claim.value).isEqualTo("job-r"));
    }

    @Test
    void theVictimsCallbacksReachTheVictimNotTheSecondClaimant() {
        topology.send(job.submittedWithRequest("pred-v"));
        topology.send(thief.submittedWithRequest("pred-v"));
        topology.drain();

        callbackFor("pred-v", "d-1", JobStatus.SUCCEEDED, "succeeded");

        assertThat(changesOf("job-r")).containsExactly("succeeded@3:job.callback-received");
        assertThat(topology.state("job-t").status()).isEqualTo(JobStatus.QUEUED);
        assertThat(topology.state("job-t").version()).isEqualTo(1);
    }

    @Test
    void aLaterClaimByTheThiefFromItsOwnCallbackIsRefusedToo() {
        topology.send(job.submittedWithRequest("pred-1"));
        topology.send(thief.submitted());
        topology.drain();

        topology.send(thief.callback("d-9", JobStatus.RUNNING, "processing"));

        assertThat(topology.rejected.readValuesToList()).extracting(RejectedEvent::reason).containsExactly("request-claimed");
        assertThat(topology.state("job-t").provider().requestId()).isNull();
        assertThat(topology.state("job-r").provider().requestId()).isEqualTo("pred-1");
    }

    @Test
    void theOwnersRepeatedClaimChangesNothing() {
        topology.send(job.submittedWithRequest("pred-1"));
        topology.drain();

        topology.send(job.callback("d-1", JobStatus.RUNNING, "processing"));
        callbackFor("pred-1", "d-2", JobStatus.SUCCEEDED, "succeeded");

        assertThat(changes()).containsExactly("running@3", "succeeded@4");
        assertThat(topology.rejected.isEmpty()).isTrue();
    }

    @Test
    void aCallbackNamingTheJobButAboutAnotherRequestIsRefusedAsRequestMismatch() {
        topology.send(job.submittedWithRequest("pred-2"));
        topology.drain();

        topology.send(job.callback("d-1", JobStatus.SUCCEEDED, "succeeded"));

        RejectedEvent refused = topology.rejected.readValue();
        assertThat(refused.reason()).isEqualTo("request-mismatch");
        assertThat(refused.jobId()).isEqualTo("job-r");
        assertThat(topology.status.isEmpty()).isTrue();
    }
}
