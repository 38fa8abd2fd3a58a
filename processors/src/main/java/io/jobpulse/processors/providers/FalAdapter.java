package io.jobpulse.processors.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;

/**
 * fal's queue: status responses ({@code status} IN_QUEUE with {@code queue_position},
 * IN_PROGRESS with {@code logs}, COMPLETED) and webhooks ({@code request_id}, {@code status} OK
 * or ERROR, {@code payload}, {@code error}). A webhook carries the result; a COMPLETED status
 * response does not (it is at the response URL), so that one observes the status only.
 */
public final class FalAdapter implements ProviderAdapter {

    @Override
    public String name() {
        return "fal";
    }

    @Override
    public ProviderObservation observe(JsonNode body) {
        String raw = ProviderAdapter.text(body, "status");
        String requestId = ProviderAdapter.text(body, "request_id");
        if (raw == null) {
            return new ProviderObservation(null, null, requestId, null, null, null, null);
        }
        return switch (raw) {
            case "IN_QUEUE" -> new ProviderObservation(JobStatus.QUEUED, raw, requestId, null,
                    body.hasNonNull("queue_position") ? "queue position " + body.get("queue_position").asInt() : null, null, null);
            case "IN_PROGRESS" -> new ProviderObservation(JobStatus.RUNNING, raw, requestId, null, lastLog(body), null, null);
            case "COMPLETED" -> new ProviderObservation(JobStatus.SUCCEEDED, raw, requestId, 1.0, null, null, null);
            case "OK" -> new ProviderObservation(JobStatus.SUCCEEDED, raw, requestId, 1.0, null, body.get("payload"), null);
            case "ERROR" -> new ProviderObservation(JobStatus.FAILED, raw, requestId, null, null, null,
                    new JobError("provider-error", errorMessage(body), false));
            default -> new ProviderObservation(null, raw, requestId, null, null, null, null);
        };
    }

    private static String lastLog(JsonNode body) {
        JsonNode logs = body.get("logs");
        if (logs == null || !logs.isArray() || logs.isEmpty()) {
            return null;
        }
        return ProviderAdapter.text(logs.get(logs.size() - 1), "message");
    }

    private static String errorMessage(JsonNode body) {
        String error = ProviderAdapter.text(body, "error");
        JsonNode detail = body.path("payload").path("detail");
        if (detail.isArray() && !detail.isEmpty() && detail.get(0).hasNonNull("msg")) {
            return (error == null ? "" : error + ": ") + detail.get(0).get("msg").asText();
        }
        return error == null ? "the request failed" : error;
    }
}
