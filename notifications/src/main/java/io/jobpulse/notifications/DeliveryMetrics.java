package io.jobpulse.notifications;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;

/**
 * The deliveries' metrics, per endpoint (tag {@value #TAG}): counters of deliveries delivered and
 * given up, of attempts that failed and of retries scheduled, and a timer from change to 2xx answer.
 * Counted by the instance that runs the endpoint's task, so a sum over instances is the total;
 * after a crash a transition may be counted twice, as the delivery itself may be sent twice.
 * An endpoint's meters stay until the process ends, also after it is deleted.
 */
final class DeliveryMetrics implements DeliveryOutcomes {

    static final String DELIVERED = "jobpulse.notifications.delivered";
    static final String FAILED = "jobpulse.notifications.failed";
    static final String ATTEMPTS_FAILED = "jobpulse.notifications.attempts.failed";
    static final String RETRIES = "jobpulse.notifications.retries";
    static final String LATENCY = "jobpulse.notifications.latency";
    static final String TAG = "endpoint";

    /** The counters of each endpoint, and what they count. */
    private static final Map<String, String> COUNTERS = Map.of(
            DELIVERED, "deliveries answered 2xx",
            FAILED, "deliveries given up: out of retries, or the endpoint disabled or deleted",
            ATTEMPTS_FAILED, "requests that got no 2xx answer",
            RETRIES, "retries scheduled after a failed attempt");

    private final MeterRegistry registry;

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void delivered(String endpointId, Duration latency) {
        counter(DELIVERED, endpointId).increment();
        Timer.builder(LATENCY).description("from the job's change to the endpoint's 2xx answer").tag(TAG, endpointId)
                .register(registry).record(latency);
    }

    @Override
    public void failed(String endpointId) {
        counter(FAILED, endpointId).increment();
    }

    @Override
    public void attemptFailed(String endpointId) {
        counter(ATTEMPTS_FAILED, endpointId).increment();
    }

    @Override
    public void retrying(String endpointId) {
        counter(RETRIES, endpointId).increment();
    }

    /**
     * The endpoint's counter; its first use registers the endpoint's other counters at 0 as well, so that a rate of
     * failures next to one of deliveries is 0 rather than absent until the first failure.
     */
    private Counter counter(String name, String endpointId) {
        if (registry.find(name).tag(TAG, endpointId).counter() == null) {
            COUNTERS.keySet().forEach(other -> register(other, endpointId));
        }
        return register(name, endpointId);
    }

    private Counter register(String name, String endpointId) {
        return Counter.builder(name).description(COUNTERS.get(name)).tag(TAG, endpointId).register(registry);
    }
}
