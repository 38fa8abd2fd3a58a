package io.jobpulse.processors;

import io.jobpulse.events.JobState;
import io.jobpulse.events.StatusChange;

/** What the fold made of one event: a change that was applied, or a rejection with a reason code. */
public sealed interface Outcome {

    record Applied(JobState state, StatusChange change) implements Outcome {
    }

    record Rejected(RejectionReason reason, String detail) implements Outcome {
    }
}
