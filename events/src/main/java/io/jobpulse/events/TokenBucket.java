package io.jobpulse.events;

import java.time.Duration;
import java.time.Instant;

/**
 * A rate limit: a token bucket holding up to {@code burst} tokens, refilled continuously at
 * {@code perSecond}. Pure: the caller says what time it is. Used for providers' poll rates and
 * for callers' request rates.
 */
public final class TokenBucket {

    private final double perSecond;
    private final double burst;
    private double tokens;
    private Instant refilled;

    /** A bucket holding one second's worth (at least one token). */
    public TokenBucket(double perSecond, Instant now) {
        this(perSecond, Math.max(1, perSecond), now);
    }

    public TokenBucket(double perSecond, double burst, Instant now) {
        if (!(perSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("a rate must be above zero and a burst at least one, not " + perSecond + " and " + burst);
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.tokens = burst;
        this.refilled = now;
    }

    /** Takes a token if there is one. */
    public synchronized boolean tryAcquire(Instant now) {
        refill(now);
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** How long until a token is there; zero when one is. */
    public synchronized Duration untilNext(Instant now) {
        refill(now);
        return tokens >= 1 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil((1 - tokens) / perSecond * 1e9));
    }

    /** Whether the bucket is full: a caller that has been quiet for a while, whose bucket can be forgotten. */
    public synchronized boolean isFull(Instant now) {
        refill(now);
        return tokens >= burst;
    }

    private void refill(Instant now) {
        if (now.isAfter(refilled)) {
            tokens = Math.min(burst, tokens + Duration.between(refilled, now).toNanos() / 1e9 * perSecond);
            refilled = now;
        }
    }
}
