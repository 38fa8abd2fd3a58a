package io.jobpulse.ingest;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {

    @Test
    void onlyIdsJobpulseMakesMayNameAJobSubmittedAMomentAgo() {
        Instant before = Instant.now().minusSeconds(1);

        assertThat(Ids.mayBeRecent(Ids.next(), before)).as("a new time-ordered id").isTrue();
        assertThat(Ids.mayBeRecent(Ids.next(), Instant.now().plusSeconds(60))).as("made before the window").isFalse();
        assertThat(Ids.mayBeRecent(Ids.forIdempotencyKey("alice", "k1"), before)).as("name-based: time unknown").isTrue();
        assertThat(Ids.mayBeRecent("123e4567-e89b-42d3-a456-426614174000", before)).as("a version 4 UUID").isFalse();
        assertThat(Ids.mayBeRecent("job-1", before)).isFalse();
        assertThat(Ids.mayBeRecent("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", before)).isFalse();
    }
}
