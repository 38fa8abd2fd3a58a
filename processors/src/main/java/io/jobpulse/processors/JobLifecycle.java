package io.jobpulse.processors;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobLimits;
import io.jobpulse.events.JobPoll;
import io.jobpulse.events.JobProvider;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;
import io.jobpulse.events.StatusChange;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The job state machine: {@code evolve(state, event)} folds one event into a job's state.
 *
 * <p>It is pure and deterministic: it reads no clock (times come from the event's
 * {@code receivedAt}), so replaying the same log always yields the same states. Rules:
 * <ul>
 *   <li>only a submission creates a job; anything else for an unknown job is rejected;</li>
 *   <li>an event id, or a provider delivery id, already applied is a duplicate and changes nothing;</li>
 *   <li>terminal statuses absorb: every later event is rejected with {@code job-terminal},
 *       except a retry of a failed, expired or canceled job, which starts a new attempt, and the
 *       grant of a request the job claimed (recorded; the status does not change);</li>
 *   <li>a provider observation that reports an earlier stage than the job has reached (a
 *       {@code queued} after {@code running}: webhooks arrive out of order) is {@code stale};</li>
 *   <li>a passed deadline expires the job only if it is the deadline of the current attempt;</li>
 *   <li>a request to poll a status URL the job is already polled at is {@code already-polling};</li>
 *   <li>a job's provider request id is set only by {@code job.provider-request-claimed}, which the
 *       callback router writes for the first job to claim a request; a submission, callback or poll
 *       only proposes one (the processor forwards the claim), so a job never carries a request
 *       another job claimed first;</li>
 *   <li>a callback about another provider request than the one the job holds is
 *       {@code request-mismatch};</li>
 *   <li>progress is clamped to [0, 1] and never moves backwards within an attempt;</li>
 *   <li>an event that changes nothing is rejected with {@code no-change};</li>
 *   <li>an event that would grow the state (as JSON) past the maximum state size is rejected with
 *       {@code state-too-large} and the job keeps its previous state; a cancel and a passed deadline
 *       are exempt, so that a job at its maximum can still end (their growth is bounded by the intake
 *       limits: a reason, an error message), and so is any event that does not grow the state;</li>
 *   <li>every applied change increments the version by exactly one.</li>
 * </ul>
 * The dedupe memory is bounded ({@link #EVENT_ID_MEMORY} keys per job): a redelivery older than
 * that is caught only by the other rules (progress never moves back, terminal absorbs).
 */
public final class JobLifecycle {

    /** How many recent dedupe keys (event ids, delivery keys) a job remembers. */
    public static final int EVENT_ID_MEMORY = 64;

    /** The error code of a job expired by its own deadline. */
    public static final String DEADLINE_EXCEEDED = "deadline-exceeded";

    private JobLifecycle() {
    }

    /** Folds one event with the default maximum state size ({@link JobLimits#DEFAULTS}). */
    public static Outcome evolve(JobState state, JobEvent event) {
        return evolve(state, event, JobLimits.DEFAULTS.maxStateBytes());
    }

    /**
     * Folds one event; a change that would leave a state larger than {@code maxStateBytes} (its
     * JSON) is refused. The size bound makes the fold depend on the configuration: replaying a log
     * with another bound may refuse other events.
     */
    public static Outcome evolve(JobState state, JobEvent event, int maxStateBytes) {
        Outcome outcome = fold(state, event);
        if (outcome instanceof Outcome.Applied applied && !(event instanceof JobEvent.CancelRequested)
                && !(event instanceof JobEvent.DeadlinePassed)) {
            int size = StateJson.write(applied.state()).length;
            if (size > maxStateBytes && (state == null || size > JobJson.write(state).length)) {
                return rejected(RejectionReason.STATE_TOO_LARGE, "job " + event.jobId() + "'s state would be " + size
                        + " bytes after this " + event.wireName() + " event, more than the maximum of " + maxStateBytes
                        + " bytes; the job keeps its previous state. Send smaller results or metadata, or remove metadata"
                        + " keys by setting them to null");
            }
        }
        return outcome;
    }

    private static Outcome fold(JobState state, JobEvent event) {
        if (state == null) {
            return event instanceof JobEvent.Submitted submitted
                    ? applied(null, Draft.submitted(submitted), event)
                    : rejected(RejectionReason.UNKNOWN_JOB, "no job " + event.jobId() + " was submitted");
        }
        if (state.recentEventIds().contains(event.eventId())) {
            return rejected(RejectionReason.DUPLICATE, "event " + event.eventId() + " was already applied");
        }
        if (event.deliveryKey() != null && state.recentEventIds().contains(event.deliveryKey())) {
            return rejected(RejectionReason.DUPLICATE, "delivery " + event.deliveryKey() + " was already applied");
        }
        // A grant may come back after the event that proposed the request ended the job: the job still records its request.
        if (state.isTerminal() && !(event instanceof JobEvent.RetryRequested) && !(event instanceof JobEvent.Submitted)
                && !(event instanceof JobEvent.ProviderRequestClaimed)) {
            return rejected(RejectionReason.JOB_TERMINAL, "job " + state.id() + " is already " + state.status());
        }
        return switch (event) {
            case JobEvent.Submitted submitted -> rejected(RejectionReason.JOB_EXISTS, "job " + state.id() + " already exists");
            case JobEvent.ReportReceived report -> report(state, report);
            case JobEvent.CancelRequested cancel -> cancel(state, cancel);
            case JobEvent.RetryRequested retry -> retry(state, retry);
            case JobEvent.CallbackReceived callback -> observe(state, callback, callback.provider(), callback.observation());
            case JobEvent.PollObserved poll -> observe(state, poll, poll.provider(), poll.observation());
            case JobEvent.DeadlinePassed deadline -> expire(state, deadline);
            case JobEvent.PollRequested poll -> poll(state, poll);
            // The provider's answer to a cancel of an open job cannot occur (cancels end jobs); it is kept, never applied.
            case JobEvent.ProviderCancelRecorded answer -> rejected(RejectionReason.NO_CHANGE,
                    "the provider's answer to a cancel is kept for the record and changes nothing");
            case JobEvent.ProviderRequestClaimed claimed -> claim(state, claimed);
        };
    }

    private static Outcome report(JobState state, JobEvent.ReportReceived report) {
        JobStatus reported = report.status();
        if (reported == JobStatus.QUEUED || reported == JobStatus.CANCELED || reported == JobStatus.EXPIRED) {
            return rejected(RejectionReason.INVALID_TRANSITION,
                    "a report may set running, succeeded or failed, not " + reported);
        }
        Draft next = new Draft(state);
        next.metadata = merge(state.metadata(), report.metadataPatch());
        advance(next, state, reported, report.progress(), report.message(), report.result(), report.error(),
                report.receivedAt(), "the worker reported failure");
        return applied(state, next, report);
    }

    /** A provider's word on the job, from a callback or a poll. */
    private static Outcome observe(JobState state, JobEvent event, String providerName, ProviderObservation seen) {
        if (seen == null) {
            return rejected(RejectionReason.NO_CHANGE, event.wireName() + " carries no observation");
        }
        JobProvider known = state.provider();
        if (event instanceof JobEvent.CallbackReceived && seen.requestId() != null && holdsRequest(known)
                && !(known.name().equals(providerName) && known.requestId().equals(seen.requestId()))) {
            return rejected(RejectionReason.REQUEST_MISMATCH, "the callback is about " + providerName + " request "
                    + seen.requestId() + " but job " + state.id() + " holds " + known.name() + " request " + known.requestId());
        }
        if (seen.status() != null && stage(seen.status()) < stage(state.status())) {
            return rejected(RejectionReason.STALE, "the provider reports " + seen.status() + " (" + seen.rawStatus()
                    + ") but job " + state.id() + " is already " + state.status());
        }
        Draft next = new Draft(state);
        boolean sameProvider = known != null && providerName.equals(known.name());
        // The request id is the claimed one, never the observation's: that is only proposed (see claim).
        next.provider = new JobProvider(providerName,
                sameProvider ? known.requestId() : null,
                seen.rawStatus() != null ? seen.rawStatus() : sameProvider ? known.rawStatus() : null,
                seen.metrics() != null ? seen.metrics() : sameProvider ? known.metrics() : null);
        if (event instanceof JobEvent.CallbackReceived && seen.status() == null && seen.statusUrl() != null && state.poll() == null) {
            // A thin callback says only that something happened; the status is read where the provider serves it.
            next.poll = new JobPoll(providerName, seen.statusUrl(), null, JobPoll.DEFAULT_INTERVAL, null);
        }
        advance(next, state, seen.status(), seen.progress(), seen.message(), seen.result(), seen.error(),
                event.receivedAt(), "the provider reported failure");
        return applied(state, next, event);
    }

    /** The router granted the job a provider request: the first claim of it, by this job. */
    private static Outcome claim(JobState state, JobEvent.ProviderRequestClaimed claimed) {
        JobProvider known = state.provider();
        if (holdsRequest(known)) {
            return known.name().equals(claimed.provider()) && known.requestId().equals(claimed.requestId())
                    ? rejected(RejectionReason.NO_CHANGE, "job " + state.id() + " already holds " + claimed.provider()
                            + " request " + claimed.requestId())
                    : rejected(RejectionReason.REQUEST_MISMATCH, "job " + state.id() + " already holds " + known.name()
                            + " request " + known.requestId() + ", not " + claimed.provider() + " request " + claimed.requestId());
        }
        boolean sameProvider = known != null && claimed.provider().equals(known.name());
        Draft next = new Draft(state);
        next.provider = new JobProvider(claimed.provider(), claimed.requestId(), sameProvider ? known.rawStatus() : null,
                sameProvider ? known.metrics() : null);
        return applied(state, next, claimed);
    }

    private static boolean holdsRequest(JobProvider provider) {
        return provider != null && provider.requestId() != null;
    }

    /**
     * Moves a draft to a reported status with its progress, message, result and error. The
     * terminal statuses set the finish time; success completes the progress; failure and expiry
     * always carry an error.
     */
    private static void advance(Draft next, JobState state, JobStatus status, Double progress, String message,
                                JsonNode result, JobError error, Instant at, String failure) {
        next.status = status == null ? state.status() : status;
        if (progress != null) {
            next.progress = Math.max(state.progress(), clamp(progress));
        }
        if (message != null) {
            next.message = message;
        }
        if (result != null) {
            next.result = result;
        }
        if (next.status == JobStatus.RUNNING || next.status == JobStatus.SUCCEEDED || next.status == JobStatus.FAILED) {
            next.startedAt = state.startedAt() == null ? at : state.startedAt();
        }
        if (next.status.isTerminal()) {
            next.finishedAt = at;
        }
        switch (next.status) {
            case SUCCEEDED -> next.progress = 1.0;
            case FAILED -> next.error = Objects.requireNonNullElse(error,
                    new JobError("failed", Objects.requireNonNullElse(message, failure), false));
            case EXPIRED -> next.error = Objects.requireNonNullElse(error,
                    new JobError("expired", Objects.requireNonNullElse(message, "the provider expired the job"), true));
            case QUEUED, RUNNING, CANCELED -> {
            }
        }
    }

    private static Outcome expire(JobState state, JobEvent.DeadlinePassed passed) {
        if (passed.attempt() != state.attempt() || !Objects.equals(passed.deadline(), state.deadline())) {
            return rejected(RejectionReason.STALE, "deadline " + passed.deadline() + " of attempt " + passed.attempt()
                    + " is not the current deadline of job " + state.id() + " (attempt " + state.attempt() + ")");
        }
        Draft next = new Draft(state);
        next.status = JobStatus.EXPIRED;
        next.finishedAt = passed.receivedAt();
        next.error = new JobError(DEADLINE_EXCEEDED, "attempt " + state.attempt() + " did not finish within its timeout of "
                + state.timeout() + " (deadline " + state.deadline() + ")", true);
        return applied(state, next, passed);
    }

    private static Outcome poll(JobState state, JobEvent.PollRequested request) {
        if (state.poll() != null && state.poll().statusUrl().equals(request.poll().statusUrl())) {
            return rejected(RejectionReason.ALREADY_POLLING, "job " + state.id() + " is already polled at " + request.poll().statusUrl());
        }
        Draft next = new Draft(state);
        next.poll = request.poll();
        return applied(state, next, request);
    }

    /** Queued, running, ended: a job only moves forward through these stages within an attempt. */
    private static int stage(JobStatus status) {
        return switch (status) {
            case QUEUED -> 0;
            case RUNNING -> 1;
            case SUCCEEDED, FAILED, CANCELED, EXPIRED -> 2;
        };
    }

    private static Outcome cancel(JobState state, JobEvent.CancelRequested cancel) {
        Draft next = new Draft(state);
        next.status = JobStatus.CANCELED;
        next.finishedAt = cancel.receivedAt();
        next.cancelRequestedBy = cancel.source().id();
        if (cancel.reason() != null) {
            next.message = cancel.reason();
        }
        return applied(state, next, cancel);
    }

    private static Outcome retry(JobState state, JobEvent.RetryRequested retry) {
        if (state.status() != JobStatus.FAILED && state.status() != JobStatus.EXPIRED && state.status() != JobStatus.CANCELED) {
            return rejected(RejectionReason.INVALID_TRANSITION,
                    "only a failed, expired or canceled job can be retried; job " + state.id() + " is " + state.status());
        }
        Instant at = retry.receivedAt();
        Draft next = new Draft(state);
        next.status = JobStatus.QUEUED;
        next.attempt = state.attempt() + 1;
        next.progress = 0.0;
        next.message = retry.reason();
        next.result = null;
        next.error = null;
        next.startedAt = null;
        next.finishedAt = null;
        next.cancelRequestedBy = null;
        // The new attempt needs a new request at the provider; the old one's word no longer applies.
        next.provider = null;
        next.poll = null;
        next.deadline = state.timeout() == null ? null : at.plus(state.timeout());
        return applied(state, next, retry);
    }

    /**
     * Stamps a changed state with its new version, time and event id, and describes the change;
     * a draft that differs from the previous state in no user-visible field is no change.
     */
    private static Outcome applied(JobState previous, Draft next, JobEvent cause) {
        next.version = previous == null ? 1 : previous.version() + 1;
        next.updatedAt = cause.receivedAt();
        next.recentEventIds = remember(previous == null ? List.of() : previous.recentEventIds(), cause);
        JobState state = next.toState();
        List<String> fields = previous == null ? List.of() : changedFields(previous, state);
        if (previous != null && fields.isEmpty()) {
            return rejected(RejectionReason.NO_CHANGE, cause.wireName() + " changes nothing");
        }
        StatusChange change = new StatusChange(state.id(), state.version(), previous == null ? null : previous.status(),
                state.status(), state, cause.eventId(), cause.wireName(), fields, cause.receivedAt());
        return new Outcome.Applied(state, change);
    }

    private static Outcome rejected(RejectionReason reason, String detail) {
        return new Outcome.Rejected(reason, detail);
    }

    private static final Map<String, Function<JobState, Object>> TRACKED_FIELDS = trackedFields();

    private static Map<String, Function<JobState, Object>> trackedFields() {
        Map<String, Function<JobState, Object>> fields = new LinkedHashMap<>();
        fields.put("status", JobState::status);
        fields.put("progress", JobState::progress);
        fields.put("message", JobState::message);
        fields.put("metadata", JobState::metadata);
        fields.put("result", JobState::result);
        fields.put("error", JobState::error);
        fields.put("provider", JobState::provider);
        fields.put("poll", JobState::poll);
        fields.put("attempt", JobState::attempt);
        fields.put("startedAt", JobState::startedAt);
        fields.put("finishedAt", JobState::finishedAt);
        fields.put("deadline", JobState::deadline);
        fields.put("cancelRequestedBy", JobState::cancelRequestedBy);
        return fields;
    }

    /** The names of the user-visible fields that differ between two states of one job. */
    static List<String> changedFields(JobState before, JobState after) {
        List<String> changed = new ArrayList<>();
        TRACKED_FIELDS.forEach((name, field) -> {
            if (!Objects.equals(field.apply(before), field.apply(after))) {
                changed.add(name);
            }
        });
        return changed;
    }

    private static double clamp(double progress) {
        return Double.isNaN(progress) ? 0.0 : Math.min(1.0, Math.max(0.0, progress));
    }

    /** Sets the patch's keys; a JSON null removes the key. */
    private static Map<String, JsonNode> merge(Map<String, JsonNode> metadata, Map<String, JsonNode> patch) {
        if (patch.isEmpty()) {
            return metadata;
        }
        Map<String, JsonNode> merged = new HashMap<>(metadata);
        patch.forEach((key, value) -> {
            if (value == null || value.isNull()) {
                merged.remove(key);
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    private static List<String> remember(List<String> recent, JobEvent event) {
        List<String> next = new ArrayList<>(recent);
        next.add(event.eventId());
        if (event.deliveryKey() != null) {
            next.add(event.deliveryKey());
        }
        return next.size() > EVENT_ID_MEMORY ? next.subList(next.size() - EVENT_ID_MEMORY, next.size()) : next;
    }

    /** A state being changed by one rule: a copy of the previous state whose fields the rule overwrites. */
    private static final class Draft {
        private final String id;
        private final String owner;
        private final String type;
        private final List<String> tags;
        private final JsonNode input;
        private JobStatus status;
        private double progress;
        private String message;
        private Map<String, JsonNode> metadata;
        private JsonNode result;
        private JobError error;
        private JobProvider provider;
        private JobPoll poll;
        private int attempt;
        private long version;
        private final Instant createdAt;
        private Instant updatedAt;
        private Instant startedAt;
        private Instant finishedAt;
        private final Duration timeout;
        private final String batchId;
        private Instant deadline;
        private String cancelRequestedBy;
        private List<String> recentEventIds;

        private Draft(String id, String owner, String type, List<String> tags, JsonNode input, Instant createdAt,
                      Duration timeout, String batchId) {
            this.id = id;
            this.owner = owner;
            this.type = type;
            this.tags = tags;
            this.input = input;
            this.createdAt = createdAt;
            this.timeout = timeout;
            this.batchId = batchId;
        }

        Draft(JobState state) {
            this(state.id(), state.owner(), state.type(), state.tags(), state.input(), state.createdAt(), state.timeout(),
                    state.batchId());
            status = state.status();
            progress = state.progress();
            message = state.message();
            metadata = state.metadata();
            result = state.result();
            error = state.error();
            provider = state.provider();
            poll = state.poll();
            attempt = state.attempt();
            version = state.version();
            updatedAt = state.updatedAt();
            startedAt = state.startedAt();
            finishedAt = state.finishedAt();
            deadline = state.deadline();
            cancelRequestedBy = state.cancelRequestedBy();
            recentEventIds = state.recentEventIds();
        }

        static Draft submitted(JobEvent.Submitted e) {
            Draft draft = new Draft(e.jobId(), e.owner(), e.jobType(), e.tags(), e.input(), e.receivedAt(), e.timeout(),
                    e.batchId());
            draft.status = JobStatus.QUEUED;
            draft.metadata = merge(Map.of(), e.metadata());
            draft.attempt = 1;
            draft.deadline = e.timeout() == null ? null : e.receivedAt().plus(e.timeout());
            draft.poll = e.poll();
            // The submitter's request id is a proposal: the job holds it once its claim is granted.
            draft.provider = e.provider() == null ? null
                    : new JobProvider(e.provider().name(), null, e.provider().rawStatus(), e.provider().metrics());
            return draft;
        }

        JobState toState() {
            return new JobState(id, owner, type, tags, input, status, progress, message, metadata, result, error,
                    provider, poll, attempt, version, createdAt, updatedAt, startedAt, finishedAt, timeout, deadline,
                    cancelRequestedBy, recentEventIds, batchId);
        }
    }
}
