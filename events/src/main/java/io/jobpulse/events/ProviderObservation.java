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
 */
public record ProviderObservation(JobStatus status, String rawStatus, String requestId, Double progress,
                                  String message, JsonNode result, JobError error) {
}
