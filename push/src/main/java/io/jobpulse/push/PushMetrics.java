package io.jobpulse.push;

import io.jobpulse.events.Roles;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Push's metrics on this instance: the connections open now, per transport ({@value #CONNECTIONS}), and how
 * long a live change took to reach a subscriber ({@value #LATENCY}: from the change's time, when ingest received
 * its cause, to the moment its subscriber's stream takes it to write). Every push instance reads every change,
 * so the latency is per subscriber and delivery, and connections are summed over instances. Changes a client
 * missed and is sent on resuming, and snapshots, are not live and not measured.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class PushMetrics {

    static final String CONNECTIONS = "jobpulse.push.connections";
    static final String LATENCY = "jobpulse.push.delivery.latency";

    /** How a client is connected. */
    enum Transport {
        SSE, WEBSOCKET;

        String label() {
            return this == SSE ? "sse" : "websocket";
        }
    }

    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final Map<Transport, AtomicInteger> open = new EnumMap<>(Transport.class);
    private final Timer latency;

    public PushMetrics(MeterRegistry registry) {
        for (Transport transport : Transport.values()) {
            AtomicInteger count = new AtomicInteger();
            open.put(transport, count);
            Gauge.builder(CONNECTIONS, count, AtomicInteger::get).description("streams and sockets open on this instance")
                    .tag("transport", transport.label()).register(registry);
        }
        this.latency = Timer.builder(LATENCY).description("from a change to its hand-over to a subscriber's stream")
                .serviceLevelObjectives(BUCKETS).register(registry);
    }

    void opened(Transport transport) {
        open.get(transport).incrementAndGet();
    }

    void closed(Transport transport) {
        open.get(transport).decrementAndGet();
    }

    /** A live change of this time handed to a subscriber now. */
    void delivered(Instant changedAt) {
        if (changedAt != null) {
            Duration took = Duration.between(changedAt, Instant.now());
            latency.record(took.isNegative() ? Duration.ZERO : took);
        }
    }
}
