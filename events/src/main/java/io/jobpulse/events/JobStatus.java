package io.jobpulse.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.Arrays;
import java.util.Optional;

/**
 * The canonical statuses of a job. The last four are terminal and absorbing: once a job
 * reaches one, no later event changes it.
 */
/* The OpenAPI document names the wire names, not the constants; OpenApiTest checks answers against them. */
@Schema(type = "string", allowableValues = {"queued", "running", "succeeded", "failed", "canceled", "expired"})
public enum JobStatus {
    QUEUED("queued"),
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    CANCELED("canceled"),
    EXPIRED("expired");

    private final String wireName;

    JobStatus(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public boolean isTerminal() {
        return this != QUEUED && this != RUNNING;
    }

    /** The status with this wire name, if there is one. */
    public static Optional<JobStatus> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }

    @JsonCreator
    static JobStatus parse(String name) {
        return fromWireName(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown status '" + name + "'; expected one of queued, running, succeeded, failed, canceled, expired"));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
