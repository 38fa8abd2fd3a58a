package io.jobpulse.processors;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.StatusChange;

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
 *   <li>an event id already applied is a duplicate and changes nothing;</li>
 *   <li>terminal statuses absorb: every later event is rejected with {@code job-terminal};</li>
 *   <li>progress is clamped to [0, 1] and never moves backwards within an attempt;</li>
 *   <li>every applied change increments the version by exactly one.</li>
 * </ul>
 */
public final class JobLifecycle {

    /** How many recent event ids a job remembers for dedupe. */
    public static final int EVENT_ID_MEMORY = 64;

    private JobLifecycle() {
    }

    public static Outcome evolve(JobState state, JobEvent event) {
        if (state == null) {
            return event instanceof JobEvent.Submitted submitted
                    ? applied(null, submitted(submitted), event)
                    : rejected(RejectionReason.UNKNOWN_JOB, "no job " + event.jobId() + " was submitted");
        }
        if (state.recentEventIds().contains(event.eventId())) {
            return rejected(RejectionReason.DUPLICATE, "event " + event.eventId() + " was already applied");
        }
        if (state.isTerminal()) {
            return rejected(RejectionReason.JOB_TERMINAL, "job " + state.id() + " is already " + state.status());
        }
        return switch (event) {
            case JobEvent.Submitted submitted -> rejected(RejectionReason.JOB_EXISTS, "job " + state.id() + " already exists");
            case JobEvent.ReportReceived report -> report(state, report);
        };
    }

    private static JobState submitted(JobEvent.Submitted e) {
        Instant deadline = e.timeout() == null ? null : e.receivedAt().plus(e.timeout());
        return new JobState(e.jobId(), e.owner(), e.jobType(), e.tags(), e.input(), JobStatus.QUEUED, 0.0, null,
                withoutNulls(e.metadata()), null, null, 1, 1, e.receivedAt(), e.receivedAt(), null, null,
                deadline, List.of(e.eventId()));
    }

    private static Outcome report(JobState state, JobEvent.ReportReceived report) {
        JobStatus reported = report.status();
        if (reported == JobStatus.QUEUED || reported == JobStatus.CANCELED || reported == JobStatus.EXPIRED) {
            return rejected(RejectionReason.INVALID_TRANSITION,
                    "a report may set running, succeeded or failed, not " + reported);
        }
        JobStatus status = reported == null ? state.status() : reported;
        Instant at = report.receivedAt();
        double progress = status == JobStatus.SUCCEEDED
                ? 1.0
                : report.progress() == null ? state.progress() : Math.max(state.progress(), clamp(report.progress()));
        JobError error = status == JobStatus.FAILED
                ? Objects.requireNonNullElse(report.error(),
                        new JobError("failed", Objects.requireNonNullElse(report.message(), "the worker reported failure"), false))
                : state.error();
        JobState next = new JobState(state.id(), state.owner(), state.type(), state.tags(), state.input(), status,
                progress, report.message() == null ? state.message() : report.message(),
                merge(state.metadata(), report.metadataPatch()),
                report.result() == null ? state.result() : report.result(), error, state.attempt(), state.version(),
                state.createdAt(), state.updatedAt(),
                state.startedAt() == null && status != JobStatus.QUEUED ? at : state.startedAt(),
                status.isTerminal() ? at : state.finishedAt(), state.deadline(), state.recentEventIds());
        if (changedFields(state, next).isEmpty()) {
            return rejected(RejectionReason.NO_CHANGE, "the report changes nothing");
        }
        return applied(state, next, report);
    }

    /** Stamps a changed state with its new version, time and event id, and describes the change. */
    private static Outcome applied(JobState previous, JobState changed, JobEvent cause) {
        long version = previous == null ? 1 : previous.version() + 1;
        List<String> recent = previous == null ? List.of() : previous.recentEventIds();
        JobState next = new JobState(changed.id(), changed.owner(), changed.type(), changed.tags(), changed.input(),
                changed.status(), changed.progress(), changed.message(), changed.metadata(), changed.result(),
                changed.error(), changed.attempt(), version, changed.createdAt(), cause.receivedAt(),
                changed.startedAt(), changed.finishedAt(), changed.deadline(), remember(recent, cause.eventId()));
        List<String> fields = previous == null ? List.of() : changedFields(previous, next);
        StatusChange change = new StatusChange(next.id(), version, previous == null ? null : previous.status(),
                next.status(), next, cause.eventId(), cause.wireName(), fields, cause.receivedAt());
        return new Outcome.Applied(next, change);
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
        fields.put("attempt", JobState::attempt);
        fields.put("startedAt", JobState::startedAt);
        fields.put("finishedAt", JobState::finishedAt);
        fields.put("deadline", JobState::deadline);
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

    private static Map<String, JsonNode> withoutNulls(Map<String, JsonNode> metadata) {
        return merge(Map.of(), metadata);
    }

    private static List<String> remember(List<String> recent, String eventId) {
        List<String> next = new ArrayList<>(recent);
        next.add(eventId);
        return next.size() > EVENT_ID_MEMORY ? next.subList(next.size() - EVENT_ID_MEMORY, next.size()) : next;
    }
}
