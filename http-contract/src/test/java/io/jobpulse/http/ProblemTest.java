package io.jobpulse.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProblemTest {

    @Test
    void anExtensionNeverTakesTheNameOfAMemberEveryProblemHas() {
        Problem conflict = Problem.of(ProblemType.CONFLICT, "Job x is succeeded.");

        assertThat(conflict.with("jobStatus", "succeeded").extras()).containsEntry("jobStatus", "succeeded");
        for (String member : new String[] {"type", "title", "status", "detail", "instance"}) {
            assertThatThrownBy(() -> conflict.with(member, "succeeded")).as(member).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
