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
 */
class CallbackRoutingTest {

    private TopologyHarness topology;
    private final JobEvents job = new JobEvents("job-r");

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

    @Test
    void routesACallbackToTheJobThatClaimedItsRequest() {
        topology.send(job.submittedWithRequest("pred-1"));

        callbackFor("pred-1", "d-1", JobStatus.RUNNING, "processing");

        assertThat(changes()).containsExactly("queued@1", "running@2");
        assertThat(topology.state("job-r").provider().rawStatus()).isEqualTo("processing");
    }

    @Test
    void holdsACallbackThatArrivesBeforeItsRequestIsClaimed() {
        callbackFor("pred-2", "d-1", JobStatus.RUNNING, "processing");
        assertThat(topology.status.isEmpty()).isTrue();

        topology.send(job.submittedWithRequest("pred-2"));

        assertThat(changes()).containsExactly("queued@1", "running@2");
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

        assertThat(changes()).containsExactly("queued@1", "running@2", "succeeded@3");
    }

    @Test
    void aRecordThatIsNotACallbackIsRefusedAndRoutingGoesOn() {
        topology.callbacks.pipeInput("replicate:pred-9", "{not json".getBytes(StandardCharsets.UTF_8));
        topology.send(job.submittedWithRequest("pred-9"));
        callbackFor("pred-9", "d-1", JobStatus.RUNNING, "processing");

        assertThat(topology.rejected.readValue().reason()).isEqualTo("malformed");
        assertThat(changes()).containsExactly("queued@1", "running@2");
    }
}
