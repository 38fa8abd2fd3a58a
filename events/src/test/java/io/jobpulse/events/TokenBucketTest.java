package io.jobpulse.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TokenBucketTest {

    private static final Instant T0 = Instant.parse("2026-11-25T04:00:00Z");

    @Test
    void allowsASecondsWorthAtOnceThenRefillsAtTheRate() {
        TokenBucket rate = new TokenBucket(2, T0);

        assertThat(rate.tryAcquire(T0)).isTrue();
        assertThat(rate.tryAcquire(T0)).isTrue();
        assertThat(rate.tryAcquire(T0)).isFalse();
        assertThat(rate.tryAcquire(T0.plusMillis(400))).isFalse();
        assertThat(rate.tryAcquire(T0.plusMillis(500))).isTrue();
        assertThat(rate.tryAcquire(T0.plusSeconds(10))).isTrue();
        assertThat(rate.tryAcquire(T0.plusSeconds(10))).isTrue();
        assertThat(rate.tryAcquire(T0.plusSeconds(10))).as("the bucket holds one second's worth").isFalse();
    }

    @Test
    void aRateBelowOnePerSecondStillAllowsOneAtATime() {
        TokenBucket rate = new TokenBucket(0.5, T0);

        assertThat(rate.tryAcquire(T0)).isTrue();
        assertThat(rate.tryAcquire(T0.plusSeconds(1))).isFalse();
        assertThat(rate.tryAcquire(T0.plusSeconds(2))).isTrue();
    }

    @Test
    void aBurstAboveTheRateAndTheWaitForTheNextToken() {
        TokenBucket rate = new TokenBucket(10, 3, T0);

        assertThat(rate.tryAcquire(T0) && rate.tryAcquire(T0) && rate.tryAcquire(T0)).isTrue();
        assertThat(rate.tryAcquire(T0)).isFalse();
        assertThat(rate.untilNext(T0)).isEqualTo(java.time.Duration.ofMillis(100));
        assertThat(rate.untilNext(T0.plusMillis(100))).isZero();
        assertThat(rate.isFull(T0.plusMillis(200))).isFalse();
        assertThat(rate.isFull(T0.plusMillis(300))).isTrue();
    }
}
