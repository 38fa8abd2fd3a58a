package io.jobpulse.app.security;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RateTableTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void holdsAtMostItsCapacityForgettingTheLeastRecentlyUsed() {
        RateTable table = new RateTable(3, 1, 1);
        table.bucket("a", T).tryAcquire(T);
        table.bucket("b", T);
        table.bucket("c", T);
        table.bucket("a", T);
        for (int i = 0; i < 1_000; i++) {
            table.bucket("k" + i, T);
        }
        assertThat(table.size()).isEqualTo(3);

        RateTable recent = new RateTable(2, 1, 1);
        recent.bucket("a", T).tryAcquire(T);
        recent.bucket("b", T);
        recent.bucket("a", T);
        recent.bucket("c", T);
        assertThat(recent.bucket("a", T).tryAcquire(T)).as("a was used last, so b went, and a keeps its empty bucket").isFalse();
    }

    @Test
    void forgetsBucketsThatAreFullAgain() {
        RateTable table = new RateTable(10, 1, 2);
        table.bucket("quiet", T).tryAcquire(T);
        table.bucket("busy", T).tryAcquire(T);
        table.bucket("busy", T).tryAcquire(T);

        table.forgetFull(T.plus(Duration.ofMillis(1500)));

        assertThat(table.size()).as("quiet refilled in 1 s, busy needs 2 s").isEqualTo(1);
    }
}
