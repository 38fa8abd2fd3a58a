package io.jobpulse.processors.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;

/**
 * Bria's status service ({@code GET /v2/status/{request_id}}): {@code status} IN_PROGRESS,
 * COMPLETED, ERROR or UNKNOWN; {@code result} with {@code image_url}, {@code video_url},
 * {@code structured_prompt}, {@code seed}; {@code error} with {@code code} and {@code message}.
 * UNKNOWN says nothing new: the job keeps its status, and its deadline expires it if Bria never
 * knows.
 */
public final class BriaAdapter implements ProviderAdapter {

    @Override
    public String name() {
        return "bria";
    }

    @Override
    public ProviderObservation observe(JsonNode body) {
        String raw = ProviderAdapter.text(body, "status");
        String requestId = ProviderAdapter.text(body, "request_id");
        JobStatus status = raw == null ? null : switch (raw) {
            case "IN_PROGRESS" -> JobStatus.RUNNING;
            case "COMPLETED" -> JobStatus.SUCCEEDED;
            case "ERROR" -> JobStatus.FAILED;
            default -> null;
        };
        JsonNode result = body.get("result");
        JobError error = null;
        if (status == JobStatus.FAILED) {
            JsonNode detail = body.path("error");
            error = new JobError(detail.hasNonNull("code") ? "bria-" + detail.get("code").asText() : "provider-error",
                    detail.hasNonNull("message") ? detail.get("message").asText() : "Bria reported an error", false);
        }
        return new ProviderObservation(status, raw, requestId, status == JobStatus.SUCCEEDED ? Double.valueOf(1.0) : null, null,
                status == JobStatus.SUCCEEDED && result != null && !result.isNull() ? result : null, error);
    }
}
