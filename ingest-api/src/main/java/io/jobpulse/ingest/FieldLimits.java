package io.jobpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobLimits;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;

import java.util.List;
import java.util.Map;

/**
 * Bounds every field of a submission or report that ends up in a job's state, so that no single
 * request can make a state too large to store. A field too large in bytes (its JSON) is refused with
 * {@code 413 payload-too-large}; too many items, or a string too long, with {@code 400
 * invalid-request}. Either problem names the {@code field} and its {@code limit}, and its detail the
 * setting that raises it. What many small requests add up to is bounded by the fold
 * ({@code state-too-large}), not here.
 */
final class FieldLimits {

    private static final String SETTING = "jobpulse.job-limits.";

    private final JobLimits limits;

    FieldLimits(JobLimits limits) {
        this.limits = limits;
    }

    /** @param prefix what names the submission's fields in a larger body, e.g. {@code jobs[3].}; empty for a body of its own */
    void checkSubmission(String prefix, SubmitJobRequest request) {
        checkLabels(prefix, request.tags(), request.metadata());
        checkBytes(prefix + "input", request.input(), limits.maxInputBytes(), "max-input-bytes");
    }

    /** Tags and metadata, of a job or of a batch, bounded alike. */
    void checkLabels(String prefix, List<String> tags, Map<String, JsonNode> metadata) {
        List<String> checked = tags == null ? List.of() : tags;
        if (checked.size() > limits.maxTags()) {
            throw tooMany(prefix + "tags", checked.size(), limits.maxTags(), "max-tags");
        }
        for (String tag : checked) {
            if (tag == null || tag.isBlank() || tag.length() > limits.maxTagLength()) {
                throw invalid(prefix + "tags", limits.maxTagLength(), "'" + prefix + "tags' takes at most " + limits.maxTags()
                        + " non-blank strings of at most " + limits.maxTagLength() + " characters (" + SETTING + "max-tag-length).");
            }
        }
        checkMetadata(prefix + "metadata", metadata);
    }

    void checkReport(ReportRequest request) {
        checkLength("message", request.message(), limits.maxMessageLength(), "max-message-length");
        checkMetadata("metadata", request.metadata());
        checkBytes("result", request.result(), limits.maxResultBytes(), "max-result-bytes");
        JobError error = request.error();
        if (error != null) {
            checkLength("error.code", error.code(), limits.maxErrorCodeLength(), "max-error-code-length");
            checkLength("error.message", error.message(), limits.maxErrorMessageLength(), "max-error-message-length");
        }
    }

    /** A cancel's or retry's reason: it becomes the job's message. */
    void checkReason(String reason) {
        checkLength("reason", reason, limits.maxMessageLength(), "max-message-length");
    }

    void checkStatusUrl(String field, String url) {
        checkLength(field, url, limits.maxUrlLength(), "max-url-length");
    }

    private void checkMetadata(String field, Map<String, JsonNode> metadata) {
        if (metadata == null) {
            return;
        }
        if (metadata.size() > limits.maxMetadataKeys()) {
            throw tooMany(field, metadata.size(), limits.maxMetadataKeys(), "max-metadata-keys");
        }
        for (String key : metadata.keySet()) {
            if (key.length() > limits.maxMetadataKeyLength()) {
                throw invalid(field, limits.maxMetadataKeyLength(), "'" + field + "' has a key of " + key.length()
                        + " characters; keys take at most " + limits.maxMetadataKeyLength() + " (" + SETTING
                        + "max-metadata-key-length).");
            }
        }
        checkBytes(field, metadata, limits.maxMetadataBytes(), "max-metadata-bytes");
    }

    private static void checkBytes(String field, Object value, int limit, String setting) {
        if (value == null) {
            return;
        }
        int size = JobJson.write(value).length;
        if (size > limit) {
            throw new ProblemException(Problem.of(ProblemType.PAYLOAD_TOO_LARGE, "'" + field + "' is " + size
                    + " bytes as JSON; at most " + limit + " are accepted (" + SETTING + setting + "). Keep large data"
                    + " elsewhere and pass a reference to it.").with("field", field).with("limit", limit));
        }
    }

    private static void checkLength(String field, String value, int limit, String setting) {
        if (value != null && value.length() > limit) {
            throw invalid(field, limit, "'" + field + "' is " + value.length() + " characters; it takes at most " + limit
                    + " (" + SETTING + setting + ").");
        }
    }

    private static ProblemException tooMany(String field, int count, int limit, String setting) {
        return invalid(field, limit, "'" + field + "' has " + count + " entries; it takes at most " + limit
                + " (" + SETTING + setting + ").");
    }

    private static ProblemException invalid(String field, int limit, String detail) {
        return new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, detail).with("field", field).with("limit", limit));
    }
}
