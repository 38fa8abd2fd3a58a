package io.jobpulse.push;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import reactor.core.publisher.Flux;

/**
 * One clock for the keepalives of every connection on this instance (SSE heartbeat comments,
 * WebSocket pings): a shared tick every {@code jobpulse.push.heartbeat}, instead of a timer per
 * connection. It runs while anyone listens. Each listener takes it with
 * {@code onBackpressureDrop}, so a connection that stops reading skips ticks without holding up
 * the clock for the others.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class Heartbeats {

    private final Flux<Long> ticks;

    public Heartbeats(PushConfiguration config) {
        this.ticks = Flux.interval(config.heartbeat()).onBackpressureDrop().share();
    }

    /** The shared ticks, dropped for a listener that is not ready for them. */
    Flux<Long> ticks() {
        return ticks.onBackpressureDrop();
    }
}
