package io.jobpulse.processors;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The index's keys are what they were when made with the formatter, so existing stores keep their order. */
class DeadlineIndexTest {

    @Property(tries = 1000)
    void millisArePaddedAsTheFormatterPadsThem(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long millis) {
        assertThat(DeadlineIndex.millis(millis)).isEqualTo(String.format("%019d", millis));
    }

    @Example
    void aKeyIsThePaddedDeadlineAndTheJob() {
        assertThat(DeadlineIndex.key(Instant.ofEpochMilli(1_764_500_000_123L), "job-1")).isEqualTo("0000001764500000123/job-1");
        assertThat(DeadlineIndex.key(Instant.ofEpochMilli(-5), "job-1")).isEqualTo("0000000000000000000/job-1");
        assertThat(DeadlineIndex.millis(0)).isEqualTo("0000000000000000000");
    }
}
