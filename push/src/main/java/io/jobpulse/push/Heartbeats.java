package io.jobpulse.push;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import reactor.core.Disposable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One clock for the keepalives of every connection on this instance (SSE heartbeat comments,
 * WebSocket pings): a shared tick every {@code jobpulse.push.heartbeat}, instead of a timer per
 * connection. It runs while anyone listens. Each listener takes it with
 * {@code onBackpressureDrop}, so a connection that stops reading skips ticks without holding up
 * the clock for the others. SSE streams {@link #listen} with a callback instead, which costs a
 * connection one entry in a set rather than a subscription to the shared flux.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class Heartbeats {

    private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);

    private final Flux<Long> ticks;
    private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();
    private Disposable clock;

    public Heartbeats(PushConfiguration config) {
        this.ticks = Flux.interval(config.heartbeat()).onBackpressureDrop().share();
    }

    /** The shared ticks, dropped for a listener that is not ready for them. */
    Flux<Long> ticks() {
        return ticks.onBackpressureDrop();
    }

    /**
     * Calls {@code onTick} at every tick, on the clock's thread, until the returned action is run.
     * The callback must not block: it decides itself whether its connection is ready for a heartbeat.
     */
    Runnable listen(Runnable onTick) {
        listeners.add(onTick);
        synchronized (this) {
            if (clock == null) {
                clock = ticks.subscribe(tick -> listeners.forEach(Heartbeats::tick));
            }
        }
        return () -> listeners.remove(onTick);
    }

    /** One listener's tick: a failure there (its connection's) does not stop the clock for the others. */
    private static void tick(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.warn("a connection's heartbeat failed", e);
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (clock != null) {
            clock.dispose();
        }
    }
}
