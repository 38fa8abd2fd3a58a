package io.jobpulse.app.security;

import io.jobpulse.events.TokenBucket;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets by key (a client address, a credential), at most {@code capacity} of them: when
 * a new key would exceed it, the bucket used least recently is forgotten. Memory is therefore
 * bounded whatever keys requests bring. Quiet keys whose buckets are full again are forgotten
 * too ({@link #forgetFull}), as they would start from a full bucket anyway.
 *
 * <p>Known limit: a forgotten key starts again with a full bucket, so a client able to present
 * more than {@code capacity} distinct keys in turn gets a burst per key; the capacity should be
 * well above the number of clients active at once.
 */
final class RateTable {

    private final int capacity;
    private final double perSecond;
    private final double burst;
    private final LinkedHashMap<String, TokenBucket> buckets;

    RateTable(int capacity, double perSecond, double burst) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a rate table holds at least one key, not " + capacity);
        }
        this.capacity = capacity;
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
                return size() > RateTable.this.capacity;
            }
        };
    }

    /** The key's bucket, made full if the key is new (or was forgotten). */
    synchronized TokenBucket bucket(String key, Instant now) {
        return buckets.computeIfAbsent(key, k -> new TokenBucket(perSecond, burst, now));
    }

    synchronized void forgetFull(Instant now) {
        buckets.values().removeIf(bucket -> bucket.isFull(now));
    }

    synchronized int size() {
        return buckets.size();
    }

    double perSecond() {
        return perSecond;
    }
}
