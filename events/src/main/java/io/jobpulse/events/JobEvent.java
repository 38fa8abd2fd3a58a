package io.jobpulse.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything that happens to a job, as written to {@code jobpulse.job-events} (key = job id).
 * The wire name of each event is stable: stored events are read back by every later version.
 * Every event carries an id that is unique and serves as the dedupe key.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "event")
@JsonSubTypes({
        @JsonSubTypes.Type(value = JobEvent.Submitted.class, name = JobEvent.Submitted.WIRE_NAME),
        @JsonSubTypes.Type(value = JobEvent.ReportReceived.class, name = JobEvent.ReportReceived.WIRE_NAME),
        @JsonSubTypes.Type(value = JobEvent.CancelRequested.class, name = JobEvent.CancelRequested.WIRE_NAME),
        @JsonSubTypes.Type(value = JobEvent.RetryRequested.class, name = JobEvent.RetryRequested.WIRE_NAME),
        @JsonSubTypes.Type(value = JobEvent.CallbackReceived.class, name = JobEvent.CallbackReceived.WIRE_NAME),
        @JsonSubTypes.Type(value = JobEvent.PollObserved.class, name = JobEvent.PollObserved.WIRE_NAME),
        @JsonSubTypes.Type(value = JobEvent.DeadlinePassed.class, name = JobEvent.DeadlinePassed.WIRE_NAME),
        @JsonSubTypes.Type(value = JobEvent.PollRequested.class, name = JobEvent.PollRequested.WIRE_NAME),
        @JsonSubTypes.Type(value = JobEvent.ProviderCancelRecorded.class, name = JobEvent.ProviderCancelRecorded.WIRE_NAME),
        @JsonSubTypes.Type(value = JobEvent.ProviderRequestClaimed.class, name = JobEvent.ProviderRequestClaimed.WIRE_NAME),
})
public sealed interface JobEvent {

    String eventId();

    String jobId();

    /** When it happened, as told by its source. */
    Instant occurredAt();

    /** When Jobpulse received it. */
    Instant receivedAt();

    EventSource source();

    /** The stable wire name, e.g. {@code job.submitted}. */
    String wireName();

    /**
     * A second dedupe key besides the event id, for events whose source redelivers under its own
     * id (a provider's webhook delivery id), or null.
     */
    default String deliveryKey() {
        return null;
    }

    /**
     * A job was submitted.
     *
     * @param owner    the subject that owns the job and may see it
     * @param jobType  the job's type, e.g. {@code image.generate}
     * @param input    the caller's input, kept as given
     * @param metadata free-form key/values that later events may merge into
     * @param tags     labels to filter by
     * @param timeout  how long the job may stay unfinished, or null for no deadline
     * @param poll     how to poll the job's status at its provider from the start, or null
     * @param provider the provider request doing the work, when the submitter knows it ({@code rawStatus} null), or null
     * @param batchId  the batch the job belongs to ({@link BatchEvent}), or null (absent on the wire) for a job of no batch
     */
    record Submitted(String eventId, String jobId, Instant occurredAt, Instant receivedAt, EventSource source,
                     String owner, String jobType, JsonNode input, Map<String, JsonNode> metadata,
                     List<String> tags, Duration timeout, JobPoll poll, JobProvider provider, String batchId)
            implements JobEvent {
        public static final String WIRE_NAME = "job.submitted";

        public Submitted {
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
            tags = tags == null ? List.of() : List.copyOf(tags);
        }

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /**
     * A worker reported on a job it runs. Every field but the ids is optional: a report may carry
     * only progress, only a message, a partial result, or a final status.
     *
     * @param status        {@code running}, {@code succeeded} or {@code failed}, or null to keep the status
     * @param progress      a fraction of the work done, 0..1
     * @param metadataPatch keys to set; a JSON null removes the key
     * @param result        the (partial or final) result
     */
    record ReportReceived(String eventId, String jobId, Instant occurredAt, Instant receivedAt, EventSource source,
                          JobStatus status, Double progress, String message, Map<String, JsonNode> metadataPatch,
                          JsonNode result, JobError error) implements JobEvent {
        public static final String WIRE_NAME = "job.report-received";

        public ReportReceived {
            metadataPatch = metadataPatch == null ? Map.of() : metadataPatch;
        }

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /**
     * Someone asked to cancel the job. Applies to a job that has not ended.
     *
     * @param reason why, in the requester's words; may be null
     */
    record CancelRequested(String eventId, String jobId, Instant occurredAt, Instant receivedAt, EventSource source,
                           String reason) implements JobEvent {
        public static final String WIRE_NAME = "job.cancel-requested";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /**
     * Someone asked to run the job again. Applies to a failed, expired or canceled job, which
     * starts a new attempt; its history is kept.
     *
     * @param reason why, in the requester's words; may be null
     */
    record RetryRequested(String eventId, String jobId, Instant occurredAt, Instant receivedAt, EventSource source,
                          String reason) implements JobEvent {
        public static final String WIRE_NAME = "job.retry-requested";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /**
     * A provider called back about the job through a signed webhook.
     *
     * @param provider     the provider's configured name
     * @param deliveryId   the provider's id of this delivery ({@code webhook-id}, Svix's {@code svix-id}, fal's
     *                     request id); a redelivery repeats it
     * @param verification how the callback was authenticated, e.g. {@code v1a} with the key that matched
     * @param observation  the adapter's reading of the callback
     * @param raw          the callback's relevant headers and body, as received
     */
    record CallbackReceived(String eventId, String jobId, Instant occurredAt, Instant receivedAt, EventSource source,
                            String provider, String deliveryId, String verification, ProviderObservation observation,
                            RawPayload raw) implements JobEvent {
        public static final String WIRE_NAME = "job.callback-received";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }

        @Override
        public String deliveryKey() {
            return deliveryId == null ? null : provider + ":" + deliveryId;
        }

        /** The same callback, keeping this of what was received. */
        public CallbackReceived withRaw(RawPayload kept) {
            return new CallbackReceived(eventId, jobId, occurredAt, receivedAt, source, provider, deliveryId, verification,
                    observation, kept);
        }

        /** The same callback, addressed to a job (once its request has been matched to one). */
        public CallbackReceived forJob(String job) {
            return new CallbackReceived(eventId, job, occurredAt, receivedAt, source, provider, deliveryId, verification,
                    observation, raw);
        }
    }

    /**
     * Jobpulse polled the provider's status URL and saw something new. Polls that see nothing new
     * are not written.
     *
     * @param provider    the provider's configured name
     * @param statusUrl   the URL that was polled
     * @param observation the adapter's reading of the response
     * @param raw         the response body (and status code as header {@code :status})
     */
    record PollObserved(String eventId, String jobId, Instant occurredAt, Instant receivedAt, EventSource source,
                        String provider, String statusUrl, ProviderObservation observation, RawPayload raw)
            implements JobEvent {
        public static final String WIRE_NAME = "job.poll-observed";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }

        /** The same observation, keeping this of the answer. */
        public PollObserved withRaw(RawPayload kept) {
            return new PollObserved(eventId, jobId, occurredAt, receivedAt, source, provider, statusUrl, observation, kept);
        }
    }

    /**
     * An attempt of the job reached its deadline unfinished. Written by the topology's deadline
     * check, so that replaying the log expires the same jobs at the same versions.
     *
     * @param attempt  the attempt whose deadline passed
     * @param deadline the deadline that passed
     */
    record DeadlinePassed(String eventId, String jobId, Instant occurredAt, Instant receivedAt, EventSource source,
                          int attempt, Instant deadline) implements JobEvent {
        public static final String WIRE_NAME = "job.deadline-passed";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /**
     * Someone asked Jobpulse to poll the job's status at its provider until it ends.
     *
     * @param poll what to poll, how often, with which configured credential
     */
    record PollRequested(String eventId, String jobId, Instant occurredAt, Instant receivedAt, EventSource source,
                         JobPoll poll) implements JobEvent {
        public static final String WIRE_NAME = "job.poll-requested";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /**
     * Jobpulse asked the provider to cancel a canceled job's request, and this is its answer. The
     * job has ended, so the event changes nothing: it is kept in the log for the audit trail.
     *
     * @param provider   the provider's configured name
     * @param requestId  the provider's id of the request it was asked to cancel
     * @param succeeded  whether the provider accepted (a 2xx answer)
     * @param httpStatus the provider's HTTP status, or null when it did not answer
     * @param detail     what went wrong, or null
     */
    record ProviderCancelRecorded(String eventId, String jobId, Instant occurredAt, Instant receivedAt, EventSource source,
                                  String provider, String requestId, boolean succeeded, Integer httpStatus, String detail)
            implements JobEvent {
        public static final String WIRE_NAME = "job.provider-cancel-recorded";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /**
     * The job's claim of a provider request was granted: no other job had claimed
     * {@code <provider>:<requestId>} before. Written by the topology's callback router, the only
     * writer of claims, so a job's state carries a request id only once the request is its own.
     *
     * @param provider  the provider's configured name
     * @param requestId the provider's id of the request, now the job's
     */
    record ProviderRequestClaimed(String eventId, String jobId, Instant occurredAt, Instant receivedAt, EventSource source,
                                  String provider, String requestId) implements JobEvent {
        public static final String WIRE_NAME = "job.provider-request-claimed";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }
}
