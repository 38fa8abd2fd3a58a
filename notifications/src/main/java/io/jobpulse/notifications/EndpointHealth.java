package io.jobpulse.notifications;

import java.time.Instant;

/**
 * How an endpoint has been answering, kept by the scheduler of its deliveries.
 *
 * @param failingSince      the first failed attempt since its last success, or null when it is not failing
 * @param disabledReason    why Jobpulse disabled it, or null
 * @param disabledAtVersion the endpoint's version when it was disabled: a later version (its owner resumed or
 *                          changed it) enables it again
 */
record EndpointHealth(Instant failingSince, String disabledReason, long disabledAtVersion) {

    static final EndpointHealth FINE = new EndpointHealth(null, null, 0);

    boolean disabledAt(long endpointVersion) {
        return disabledReason != null && disabledAtVersion >= endpointVersion;
    }
}
