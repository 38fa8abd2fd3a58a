package io.jobpulse.ingest;

import io.jobpulse.http.JobIds;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {

    @Test
    void newIdsCarryTheirTimeAndNameBasedOnesNone() {
        Instant before = Instant.now().minusMillis(1);

        assertThat(JobIds.madeAt(Ids.next())).as("a new time-ordered id").hasValueSatisfying(made ->
                assertThat(made).isBetween(before, Instant.now().plus(Duration.ofMillis(1))));
        assertThat(JobIds.madeAt(new SigningKey("k".repeat(32)).idempotentJobId("alice", "k1"))).as("keyed: time unknown").isEmpty();
        assertThat(JobIds.madeAt("6b86b273-ff34-3fce-9d6b-804eff5a3f57")).as("name-based: time unknown").isEmpty();
        assertThat(JobIds.madeAt("123e4567-e89b-42d3-a456-426614174000")).as("a version 4 UUID").isEmpty();
        assertThat(JobIds.madeAt("job-1")).isEmpty();
        assertThat(JobIds.madeAt("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz")).isEmpty();
    }
}
