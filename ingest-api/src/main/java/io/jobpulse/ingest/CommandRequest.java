package io.jobpulse.ingest;

/**
 * The optional body of {@code POST /v1/jobs/{id}/cancel} and {@code /retry}.
 *
 * @param reason why, in the requester's words
 */
public record CommandRequest(String reason) {
}
