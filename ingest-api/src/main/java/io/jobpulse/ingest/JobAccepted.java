package io.jobpulse.ingest;

import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.http.Routes;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 202 answer to a submission: the job as accepted, and where to follow it.
 *
 * @param links    {@code self}, {@code stream}, {@code reports}, and {@code webhook}: the job's webhook URL for the
 *                 provider the submission names (its {@code provider} or its poll's), or for the only provider that
 *                 takes callbacks; absent when neither says which
 * @param webhooks the job's webhook URL for every provider that takes callbacks, by provider name; each carries the
 *                 token that binds it to the job and the provider
 */
public record JobAccepted(String id, String type, JobStatus status, long version, Instant createdAt,
                          Map<String, String> links, Map<String, String> webhooks) {

    /** @param provider the provider the submission names, or null */
    static JobAccepted of(String id, String type, Instant createdAt, Map<String, String> webhooks, String provider) {
        return of(id, type, JobStatus.QUEUED, 1, createdAt, webhooks, provider);
    }

    /** The answer for a job already accepted: as it is now. */
    static JobAccepted of(JobState job, Map<String, String> webhooks) {
        return of(job.id(), job.type(), job.status(), job.version(), job.createdAt(), webhooks,
                job.provider() != null ? job.provider().name() : job.poll() != null ? job.poll().provider() : null);
    }

    private static JobAccepted of(String id, String type, JobStatus status, long version, Instant createdAt,
                                  Map<String, String> webhooks, String provider) {
        String self = Routes.JOBS + "/" + id;
        Map<String, String> links = new LinkedHashMap<>();
        links.put("self", self);
        links.put("stream", self + "/stream");
        links.put("reports", self + "/reports");
        String webhook = provider != null ? webhooks.get(provider)
                : webhooks.size() == 1 ? webhooks.values().iterator().next() : null;
        if (webhook != null) {
            links.put("webhook", webhook);
        }
        return new JobAccepted(id, type, status, version, createdAt, links, webhooks);
    }
}
