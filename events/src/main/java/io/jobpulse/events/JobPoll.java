package io.jobpulse.events;

import java.time.Duration;

/**
 * How Jobpulse polls a job's status at its provider.
 *
 * @param provider   the provider's configured name (its adapter reads the responses)
 * @param statusUrl  the URL to GET
 * @param credential the name of a credential in the provider's configuration, or null; never the secret itself
 * @param interval   how often to poll while nothing changes at first; unchanged polls back off from it
 * @param quietFor   for reconciliation: poll only once the job has heard nothing for this long (its
 *                   callbacks went quiet, perhaps lost), or null to poll all along
 */
public record JobPoll(String provider, String statusUrl, String credential, Duration interval, Duration quietFor) {

    /** How often a poll asks while nothing changes at first, unless told otherwise. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
}
