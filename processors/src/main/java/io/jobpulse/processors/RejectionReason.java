package io.jobpulse.processors;

import java.util.Arrays;
import java.util.Optional;

/** Why the fold refused an event. The codes are written to {@code jobpulse.job-events-rejected}. */
public enum RejectionReason {
    /** The event names a job that was never submitted. */
    UNKNOWN_JOB("unknown-job"),
    /** The job is already terminal; terminal statuses absorb every later event. */
    JOB_TERMINAL("job-terminal"),
    /** An event with this id was already applied. */
    DUPLICATE("duplicate"),
    /** A second submission for an existing job id. */
    JOB_EXISTS("job-exists"),
    /** The event asks for a transition the lifecycle does not allow. */
    INVALID_TRANSITION("invalid-transition"),
    /**
     * The event arrived after the job moved past what it reports: a provider observation of an
     * earlier stage, or a deadline of an earlier attempt or an earlier deadline.
     */
    STALE("stale"),
    /** A request to poll a status URL that the job is already polled at. */
    ALREADY_POLLING("already-polling"),
    /** The event is valid but changes nothing. */
    NO_CHANGE("no-change"),
    /** A callback named a provider request that no job claimed within the routing wait. */
    UNKNOWN_REQUEST("unknown-request"),
    /** A job claimed a provider request that another job had claimed first; the claim is refused. */
    REQUEST_CLAIMED("request-claimed"),
    /** A callback is about another provider request than the one the job holds. */
    REQUEST_MISMATCH("request-mismatch"),
    /** The record could not be decoded as an event. */
    MALFORMED("malformed"),
    /** The event would grow the job's state past the maximum state size; the job keeps its previous state. */
    STATE_TOO_LARGE("state-too-large"),
    /**
     * A record the event leads to (the job's state, its change) would be larger than the topology may
     * write to Kafka; the job keeps its previous state.
     */
    RECORD_TOO_LARGE("record-too-large"),
    /** Kafka refused a record the event led to, or it could not be serialized; nothing of it was applied. */
    UNWRITABLE("unwritable"),
    /** Processing the record failed unexpectedly; it was skipped so that its partition goes on. */
    UNPROCESSABLE("unprocessable");

    private final String code;

    RejectionReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /**
     * Whether the refusal depended on more than the log: on limits that are configured, or on what
     * Kafka would take when the record came. A replay repeats such refusals as they were made,
     * rather than deciding again under today's limits.
     */
    public boolean dependsOnLimits() {
        return this == STATE_TOO_LARGE || this == RECORD_TOO_LARGE || this == UNWRITABLE || this == UNPROCESSABLE;
    }

    public static Optional<RejectionReason> fromCode(String code) {
        return Arrays.stream(values()).filter(reason -> reason.code.equals(code)).findFirst();
    }
}
