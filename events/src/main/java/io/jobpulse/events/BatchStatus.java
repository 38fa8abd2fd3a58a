package io.jobpulse.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;

/**
 * What a batch as a whole is doing, derived from its jobs and whether it was closed or canceled
 * ({@code docs/batches.md} has the exact rules). The last four are finished; a retry of a member
 * job takes a finished batch back to {@code running}.
 */
public enum BatchStatus {
    /** Not finished, and no job is under way: none has started yet, or all have ended but more may come. */
    OPEN("open"),
    /** Not finished, some job has started and some job has not ended. */
    RUNNING("running"),
    /** Closed, every job ended, all succeeded (also a closed batch with no jobs). */
    SUCCEEDED("succeeded"),
    /** Closed, every job ended, none succeeded. */
    FAILED("failed"),
    /** Closed, every job ended, some succeeded and some did not. */
    PARTIAL("partial"),
    /** Canceled, and every job ended. */
    CANCELED("canceled");

    private final String wireName;

    BatchStatus(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public boolean isFinished() {
        return this != OPEN && this != RUNNING;
    }

    @JsonCreator
    static BatchStatus parse(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown batch status '" + name
                        + "'; expected one of open, running, succeeded, failed, partial, canceled"));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
