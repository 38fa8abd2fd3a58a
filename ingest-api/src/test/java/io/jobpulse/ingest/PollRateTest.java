package io.jobpulse.ingest;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PollRateTest {

    private static final Instant T0 = Instant.parse("2026-11-25T04:00:00Z");

    @Test
    void allowsASecondsWorthAtOnceThenRefillsAtTheRate() {
        PollRate rate = new PollRate(2, T0);

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
        PollRate rate = new PollRate(0.5, T0);

        assertThat(rate.tryAcquire(T0)).isTrue();
        assertThat(rate.tryAcquire(T0.plusSeconds(1))).isFalse();
        assertThat(rate.tryAcquire(T0.plusSeconds(2))).isTrue();
    }
}
