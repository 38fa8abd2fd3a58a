package io.jobpulse.push;

import io.jobpulse.events.JobStatus;
import io.jobpulse.http.Caller;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a subscription asks for, read the same way whichever transport it came by (SSE query
 * parameters and headers, WebSocket messages): the owner's jobs it selects, where it resumes, and
 * the names its updates go by. Bad input is a {@code 400} problem naming the field, except a
 * multi-job cursor, which is opaque to clients: one the service did not make means a reset.
 */
final class SubscriptionRequests {

    static final String STATUS_EVENT = "status";
    static final String PROGRESS_EVENT = "progress";
    /** A batch stream's events: the batch's own changes, and (with jobs) its jobs' changes. */
    static final String BATCH_EVENT = "batch";
    static final String JOB_EVENT = "job";

    private SubscriptionRequests() {
    }

    /** The owner's jobs of some types, with a tag, in some statuses, within the caller's stream jobs. */
    static Selector.OwnerJobs ownerJobs(Caller caller, String owner, List<String> types, String tag, List<String> statuses) {
        return new Selector.OwnerJobs(caller.ownerFor(owner), tokenJobs(caller), split(types), tag, statuses(statuses));
    }

    /** The jobs a caller's multi-job stream is limited to: a stream token's, or none (all). */
    static Set<String> tokenJobs(Caller caller) {
        return caller.tokenJobs() == null ? Set.of() : caller.tokenJobs();
    }

    /**
     * Where a multi-job subscription resumes: after the cursor a stream sent, or from now. Text
     * that is not a cursor this service made is no position of the topic: the subscription starts
     * with a reset, as one whose cursor is outside the retained history does, never with a refusal
     * that would leave a reconnecting client with nothing to go on.
     */
    static Optional<StreamCursor> cursor(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(StreamCursor.decode(text));
        } catch (IllegalArgumentException e) {
            return Optional.of(StreamCursor.NOWHERE);
        }
    }

    /** Where a one-job subscription resumes: after the version a stream sent, or from the start. */
    static long version(String field, String text) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            long version = Long.parseLong(text.trim());
            if (version < 0) {
                throw new NumberFormatException();
            }
            return version;
        } catch (NumberFormatException e) {
            throw invalid(field, "'" + field + "' must be a version number as sent in the stream's id: field.");
        }
    }

    /** {@code status} when the status changed (or for a snapshot), {@code progress} for anything else. */
    static String eventName(JobUpdate update) {
        return update.snapshot() || update.previousStatus() != update.status() ? STATUS_EVENT : PROGRESS_EVENT;
    }

    static ProblemException invalid(String field, String detail) {
        return new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, detail).with("field", field));
    }

    /** Values given as repeated parameters, comma-separated, or both. */
    private static Set<String> split(List<String> values) {
        Set<String> split = new HashSet<>();
        if (values != null) {
            values.forEach(value -> Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(split::add));
        }
        return split;
    }

    private static Set<JobStatus> statuses(List<String> values) {
        Set<JobStatus> statuses = new HashSet<>();
        for (String value : split(values)) {
            statuses.add(JobStatus.fromWireName(value).orElseThrow(() -> invalid("status",
                    "'status' takes queued, running, succeeded, failed, canceled or expired, not '" + value + "'.")));
        }
        return statuses;
    }
}
