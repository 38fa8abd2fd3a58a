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
        assertThat(Ids.mayBeRecent(new SigningKey("k".repeat(32)).idempotentJobId("alice", "k1"), before))
                .as("keyed: time unknown").isTrue();
        assertThat(Ids.mayBeRecent("6b86b273-ff34-3fce-9d6b-804eff5a3f57", before)).as("name-based (older): time unknown").isTrue();
        assertThat(Ids.mayBeRecent("123e4567-e89b-42d3-a456-426614174000", before)).as("a version 4 UUID").isFalse();
        assertThat(Ids.mayBeRecent("job-1", before)).isFalse();
        assertThat(Ids.mayBeRecent("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", before)).isFalse();
    }
}
