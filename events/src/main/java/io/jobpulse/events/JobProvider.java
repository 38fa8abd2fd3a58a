package io.jobpulse.events;

/**
 * The external provider doing a job's work, as last heard from.
 *
 * @param name      the provider's name in Jobpulse's configuration, e.g. {@code replicate}
 * @param requestId the provider's id for the work, or null until it is known
 * @param rawStatus the provider's own status word in its latest applied observation
 */
public record JobProvider(String name, String requestId, String rawStatus) {
}
