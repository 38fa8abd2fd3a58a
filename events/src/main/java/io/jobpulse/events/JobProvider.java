package io.jobpulse.events;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The external provider doing a job's work, as last heard from.
 *
 * @param name      the provider's name in Jobpulse's configuration, e.g. {@code replicate}
 * @param requestId the provider's id for the work, or null until it is known
 * @param rawStatus the provider's own status word in its latest applied observation
 * @param metrics   the provider's latest figures about the work, or null
 */
public record JobProvider(String name, String requestId, String rawStatus, JsonNode metrics) {

    /** A provider without metrics. */
    public JobProvider(String name, String requestId, String rawStatus) {
        this(name, requestId, rawStatus, null);
    }
}
