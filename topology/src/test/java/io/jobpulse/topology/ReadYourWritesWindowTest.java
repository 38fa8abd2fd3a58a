package io.jobpulse.topology;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ReadYourWritesWindowTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Duration WINDOW = Duration.ofSeconds(3);

    static String madeAt(Instant at) {
        long msb = (at.toEpochMilli() << 16) | 0x7000L | 0x0abcL;
        return new UUID(msb, 0x8000_0000_0000_0001L).toString();
    }

    @Test
    void anIdMadeWithinTheWindowIsWaitedForUntilTheWindowSinceItsTimeHasPassed() {
        Instant made = NOW.minusMillis(500);
        assertThat(InteractiveQueries.waitUntil(madeAt(made), NOW, WINDOW)).hasValue(made.plus(WINDOW));
    }

    @Test
    void anIdOlderThanTheWindowIsNotWaitedFor() {
        assertThat(InteractiveQueries.waitUntil(madeAt(NOW.minus(WINDOW)), NOW, WINDOW)).isEmpty();
        assertThat(InteractiveQueries.waitUntil(madeAt(NOW.minus(Duration.ofDays(1))), NOW, WINDOW)).isEmpty();
    }

    @Test
    void anIdFromTheFutureIsNotWaitedForBeyondClockSkew() {
        assertThat(InteractiveQueries.waitUntil(madeAt(NOW.plus(InteractiveQueries.CLOCK_SKEW)), NOW, WINDOW)).isPresent();
        assertThat(InteractiveQueries.waitUntil(madeAt(NOW.plus(InteractiveQueries.CLOCK_SKEW).plusMillis(1)), NOW, WINDOW)).isEmpty();
        assertThat(InteractiveQueries.waitUntil(madeAt(NOW.plus(Duration.ofDays(365))), NOW, WINDOW)).isEmpty();
    }

    @Test
    void idsWithoutATimeAreNotWaitedFor() {
        assertThat(InteractiveQueries.waitUntil(UUID.nameUUIDFromBytes("alice\nk1".getBytes()).toString(), NOW, WINDOW)).isEmpty();
        assertThat(InteractiveQueries.waitUntil(UUID.randomUUID().toString(), NOW, WINDOW)).isEmpty();
        assertThat(InteractiveQueries.waitUntil("job-1", NOW, WINDOW)).isEmpty();
    }
}
