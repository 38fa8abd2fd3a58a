package io.jobpulse.ingest;

import java.time.Duration;

/**
 * The body of {@code POST /v1/jobs/{id}/poll}.
 *
 * @param statusUrl  the provider's status URL for the job: one of the provider's configured status URL templates
 *                   with the request id filled in
 * @param provider   the provider's configured name; its adapter reads the answers
 * @param credential no longer accepted: a request that names one is refused, because the provider's
 *                   configuration chooses the credential each of its status URLs is sent
 * @param interval   how often to poll while the answers change (ISO-8601, default PT5S)
 * @param quietFor   reconcile: poll only once the job has heard nothing for this long (ISO-8601), or absent to poll all along
 */
public record PollRequest(String statusUrl, String provider, String credential, Duration interval, Duration quietFor) {
}
