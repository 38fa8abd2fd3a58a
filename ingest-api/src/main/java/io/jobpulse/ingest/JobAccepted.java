package io.jobpulse.ingest;

import io.jobpulse.events.JobStatus;

import java.time.Instant;
import java.util.Map;

/** The 202 answer to a submission: the job as accepted, and where to follow it. */
public record JobAccepted(String id, String type, JobStatus status, long version, Instant createdAt,
                          Map<String, String> links) {

    static JobAccepted of(String id, String type, Instant createdAt) {
        String self = "/v1/jobs/" + id;
        return new JobAccepted(id, type, JobStatus.QUEUED, 1, createdAt, Map.of(
                "self", self,
                "stream", self + "/stream",
                "reports", self + "/reports",
                "webhook", "/v1/webhooks/{provider}?job=" + id));
    }
}
