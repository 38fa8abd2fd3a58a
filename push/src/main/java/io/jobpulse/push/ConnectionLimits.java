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

    ConnectionLimits(PushConfiguration config) {
        this.max = config.maxConnectionsPerCaller();
    }

    /** Counts a new connection of the caller, or refuses it with a 429 problem; returns how to release it (once). */
    Runnable open(Caller caller) {
        String key = key(caller);
        int now = open.merge(key, 1, Integer::sum);
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                open.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
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
