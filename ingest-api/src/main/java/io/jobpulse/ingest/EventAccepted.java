package io.jobpulse.ingest;

/** The 202 answer to a report or command: the event is in the log and will be applied in order. */
public record EventAccepted(String jobId, String eventId, String event) {
}
