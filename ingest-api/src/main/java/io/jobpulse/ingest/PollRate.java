package io.jobpulse.ingest;

import java.time.Duration;
import java.time.Instant;

/**
 * A provider's poll rate limit: a token bucket holding up to one second's worth of polls, refilled
 * continuously at {@code perSecond}. Pure: the caller says what time it is.
 */
final class PollRate {

    private final double perSecond;
    private final double burst;
    private double tokens;
    private Instant refilled;

    PollRate(double perSecond, Instant now) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("a poll rate must be above zero, not " + perSecond);
        }
        this.perSecond = perSecond;
        this.burst = Math.max(1, perSecond);
        this.tokens = burst;
        this.refilled = now;
    }

    /** Takes one poll's token if there is one. */
    synchronized boolean tryAcquire(Instant now) {
        if (now.isAfter(refilled)) {
            tokens = Math.min(burst, tokens + Duration.between(refilled, now).toNanos() / 1e9 * perSecond);
            refilled = now;
        }
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
