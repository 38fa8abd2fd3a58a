package io.jobpulse.notifications;

import java.time.Duration;

/**
 * What the scheduler tells of each endpoint's deliveries as they happen, for metrics. It is called
 * on a Streams thread, once per transition (an attempt that failed, a retry scheduled, a delivery
 * delivered or given up), and must not block; the scheduler knows nothing of who listens.
 * A transition made again after a crash (at-least-once) may be told again.
 */
public interface DeliveryOutcomes {

    /** Tells nothing: for topologies run without metrics (tests of the topology alone). */
    DeliveryOutcomes NONE = new DeliveryOutcomes() {
    };

    /** A 2xx answer; {@code latency} runs from the change to the answer. */
    default void delivered(String endpointId, Duration latency) {
    }

    /** Given up: out of retries, or the endpoint disabled or deleted. */
    default void failed(String endpointId) {
    }

    /** One request that got no 2xx answer (an error status, a timeout, no connection). */
    default void attemptFailed(String endpointId) {
    }

    /** A delivery waits for its next attempt after a failed one. */
    default void retrying(String endpointId) {
    }
}
