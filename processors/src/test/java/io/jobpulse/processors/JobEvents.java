package io.jobpulse.processors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobPoll;
import io.jobpulse.events.JobProvider;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;
import io.jobpulse.events.RawPayload;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.List;

/**
 * The events of one job, for tests: each call makes the next event, one second after the
 * previous one, with an id of its own ({@code <job>/<n>}).
 */
public final class JobEvents {

    public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    public static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String jobId;
    private int seq;

    public JobEvents(String jobId) {
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }

    /** The time of the {@code n}-th event. */
    public static Instant at(int n) {
        return T0.plusSeconds(n);
    }

    private String nextId() {
        return jobId + "/" + ++seq;
    }

    /** A submission at T0 by alice, with a 10 minute timeout. */
    public JobEvent.Submitted submitted() {
        return submitted(TIMEOUT);
    }

    public JobEvent.Submitted submitted(Duration timeout) {
        return new JobEvent.Submitted(jobId + "/submit", jobId, T0, T0, EventSource.user("alice"), "alice",
                "image.generate", JSON.objectNode().put("prompt", "a cat"), Map.of("tier", JSON.textNode("gold")),
                List.of("demo"), timeout, null, null, null);
    }

    /** A submission at T0 by alice, in a batch. */
    public JobEvent.Submitted submittedIn(String batchId) {
        JobEvent.Submitted plain = submitted();
        return new JobEvent.Submitted(plain.eventId(), jobId, T0, T0, plain.source(), plain.owner(), plain.jobType(), plain.input(),
                plain.metadata(), plain.tags(), plain.timeout(), null, null, batchId);
    }

    /** A submission that names its provider request (provider "replicate"). */
    public JobEvent.Submitted submittedWithRequest(String requestId) {
        JobEvent.Submitted plain = submitted();
        return new JobEvent.Submitted(plain.eventId(), jobId, T0, T0, plain.source(), plain.owner(), plain.jobType(), plain.input(),
                plain.metadata(), plain.tags(), plain.timeout(), null, new JobProvider("replicate", requestId, null), null);
    }

    /** A second submission of the same job id, under an event id of its own. */
    public JobEvent.Submitted resubmitted() {
        JobEvent.Submitted first = submitted();
        return new JobEvent.Submitted(nextId(), jobId, at(seq), at(seq), first.source(), first.owner(), first.jobType(),
                first.input(), first.metadata(), first.tags(), first.timeout(), null, null, null);
    }

    public JobEvent.ReportReceived report(JobStatus status, Double progress) {
        return report(status, progress, null, null);
    }

    public JobEvent.ReportReceived report(JobStatus status, Double progress, Map<String, JsonNode> metadataPatch,
                                          JsonNode result) {
        String id = nextId();
        return new JobEvent.ReportReceived(id, jobId, at(seq), at(seq), EventSource.service("worker"), status, progress,
                null, metadataPatch, result, null);
    }

    public JobEvent.CancelRequested cancel(String by) {
        String id = nextId();
        return new JobEvent.CancelRequested(id, jobId, at(seq), at(seq), EventSource.user(by), "no longer needed");
    }

    public JobEvent.RetryRequested retry() {
        String id = nextId();
        return new JobEvent.RetryRequested(id, jobId, at(seq), at(seq), EventSource.user("alice"), null);
    }

    /** A webhook from provider "replicate" for request "pred-1". */
    public JobEvent.CallbackReceived callback(String deliveryId, JobStatus status, String rawStatus) {
        return callback(deliveryId, new ProviderObservation(status, rawStatus, "pred-1", null, null, null, null));
    }

    public JobEvent.CallbackReceived callback(String deliveryId, ProviderObservation observation) {
        String id = nextId();
        RawPayload raw = new RawPayload(Map.of("webhook-id", deliveryId),
                JSON.objectNode().put("id", "pred-1").put("status", String.valueOf(observation.rawStatus())));
        return new JobEvent.CallbackReceived(id, jobId, at(seq), at(seq), EventSource.provider("replicate"),
                "replicate", deliveryId, "v1", observation, raw);
    }

    /** The callback router's grant of request {@code requestId} of provider "replicate" to this job. */
    public JobEvent.ProviderRequestClaimed claimed(String requestId) {
        String id = nextId();
        return new JobEvent.ProviderRequestClaimed(id, jobId, at(seq), at(seq), EventSource.system("callback-router"),
                "replicate", requestId);
    }

    /** A poll of provider "bria" that saw this status. */
    public JobEvent.PollObserved poll(JobStatus status, String rawStatus) {
        String id = nextId();
        return new JobEvent.PollObserved(id, jobId, at(seq), at(seq), EventSource.system("poller"), "bria",
                "https://engine.example/status/req-9",
                new ProviderObservation(status, rawStatus, "req-9", null, null, null, null),
                new RawPayload(Map.of(), JSON.objectNode().put("status", rawStatus)));
    }

    /** A failure observed from the provider, with its error. */
    public JobEvent.PollObserved pollFailed(String code) {
        String id = nextId();
        return new JobEvent.PollObserved(id, jobId, at(seq), at(seq), EventSource.system("poller"), "bria",
                "https://engine.example/status/req-9",
                new ProviderObservation(JobStatus.FAILED, "ERROR", "req-9", null, null, null,
                        new JobError(code, "the engine failed", true)),
                new RawPayload(Map.of(), JSON.objectNode().put("status", "ERROR")));
    }

    /** A request to poll this status URL at provider "bria" every 2 seconds. */
    public JobEvent.PollRequested pollRequested(String statusUrl) {
        String id = nextId();
        return new JobEvent.PollRequested(id, jobId, at(seq), at(seq), EventSource.user("alice"),
                new JobPoll("bria", statusUrl, "default", Duration.ofSeconds(2), null));
    }

    /** The deadline check's event for the state's current attempt and deadline. */
    public JobEvent.DeadlinePassed deadlinePassed(JobState state) {
        return deadlinePassed(state.attempt(), state.deadline());
    }

    public JobEvent.DeadlinePassed deadlinePassed(int attempt, Instant deadline) {
        String id = nextId();
        return new JobEvent.DeadlinePassed(id, jobId, deadline, at(seq), EventSource.system("deadlines"), attempt, deadline);
    }
}
