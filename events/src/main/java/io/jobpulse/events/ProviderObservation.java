package io.jobpulse.events;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a provider said about a job, in Jobpulse's vocabulary: the normalised reading of one
 * callback or one status poll, made by a provider adapter. The raw payload travels beside it in
 * the event. Every field is optional; a thin callback may carry nothing but its delivery id.
 *
 * @param status    the canonical status the provider's status maps to, or null if it said none
 * @param rawStatus the provider's own status word, e.g. {@code processing} or {@code IN_QUEUE}
 * @param requestId the provider's id for the work (prediction id, request id, batch id)
 * @param progress  a fraction of the work done, 0..1
 * @param message   a human-readable note (a log line, a queue position)
 * @param result    the (partial or final) output
 * @param error     why it failed, when it did
 * @param metrics   the provider's figures about the work (Replicate's {@code metrics}: predict time, token counts)
 * @param statusUrl where the provider serves the request's status, when known; a thin callback of a
 *                  job that is not polled starts a poll of it
 */
public record ProviderObservation(JobStatus status, String rawStatus, String requestId, Double progress,
                                  String message, JsonNode result, JobError error, JsonNode metrics, String statusUrl) {

    /** An observation without metrics or status URL. */
    public ProviderObservation(JobStatus status, String rawStatus, String requestId, Double progress,
                               String message, JsonNode result, JobError error) {
        this(status, rawStatus, requestId, progress, message, result, error, null, null);
    }

    /** This observation, naming where the request's status is served. */
    public ProviderObservation withStatusUrl(String url) {
        return new ProviderObservation(status, rawStatus, requestId, progress, message, result, error, metrics, url);
    }
}
