package io.jobpulse.push;

import io.jobpulse.http.Caller;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many streams and sockets one user or API key holds open on this instance, at most
 * {@code jobpulse.push.max-connections-per-caller}.
 */
@Singleton
class ConnectionLimits {

    private final Map<String, Integer> open = new ConcurrentHashMap<>();
    private final int max;
    private final PushMetrics metrics;

    ConnectionLimits(PushConfiguration config, PushMetrics metrics) {
        this.max = config.maxConnectionsPerCaller();
        this.metrics = metrics;
    }

    /**
     * Counts a new connection of the caller over a transport (also in {@link PushMetrics}), or refuses it with
     * a 429 problem; returns how to release it (once).
     */
    Runnable open(Caller caller, PushMetrics.Transport transport) {
        String key = key(caller);
        int now = open.merge(key, 1, Integer::sum);
        metrics.opened(transport);
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                open.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
                metrics.closed(transport);
            }
        };
        if (now > max) {
            release.run();
            throw new ProblemException(Problem.of(ProblemType.RATE_LIMITED, "This credential holds " + max
                    + " streams and sockets open here already, the most it may; close one, or subscribe to several jobs"
                    + " on one (GET /v1/stream, or one WebSocket).").with("limit", max));
        }
        return release;
    }

    /** A stream token's connections count as its owner's. */
    private static String key(Caller caller) {
        return caller.isStreamToken() ? "user:" + caller.owner() : caller.source().key();
    }
}
