package io.jobpulse.processors.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;

/**
 * OpenAI batches ({@code GET /v1/batches/{id}}): {@code status} validating, in_progress,
 * finalizing, completed, failed, expired, cancelling, cancelled; {@code request_counts} gives
 * progress; the result is the output and error file ids with the counts. OpenAI's webhook events
 * are thin ({@code {"type": "batch.completed", "data": {"id": "batch_..."}}}): they carry the
 * batch id and no status, so a callback observes nothing but the id, and the batch is then read
 * from the API.
 */
public final class OpenAiBatchAdapter implements ProviderAdapter {

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public ProviderObservation observe(JsonNode body) {
        if ("event".equals(ProviderAdapter.text(body, "object"))) {
            return new ProviderObservation(null, null, ProviderAdapter.text(body.path("data"), "id"), null, null, null, null);
        }
        String raw = ProviderAdapter.text(body, "status");
        JobStatus status = raw == null ? null : switch (raw) {
            case "validating" -> JobStatus.QUEUED;
            case "in_progress", "finalizing", "cancelling" -> JobStatus.RUNNING;
            case "completed" -> JobStatus.SUCCEEDED;
            case "failed" -> JobStatus.FAILED;
            case "expired" -> JobStatus.EXPIRED;
            case "cancelled" -> JobStatus.CANCELED;
            default -> null;
        };
        JsonNode counts = body.path("request_counts");
        Double progress = counts.path("total").asInt(0) > 0
                ? (counts.path("completed").asInt(0) + counts.path("failed").asInt(0)) / (double) counts.get("total").asInt() : null;
        ObjectNode result = null;
        if (status == JobStatus.SUCCEEDED) {
            result = JsonNodeFactory.instance.objectNode();
            result.put("output_file_id", ProviderAdapter.text(body, "output_file_id"));
            result.put("error_file_id", ProviderAdapter.text(body, "error_file_id"));
            result.set("request_counts", counts.isMissingNode() ? null : counts);
        }
        JobError error = null;
        if (status == JobStatus.FAILED || status == JobStatus.EXPIRED) {
            JsonNode first = body.path("errors").path("data").path(0);
            error = new JobError(first.hasNonNull("code") ? first.get("code").asText() : "batch-" + raw,
                    first.hasNonNull("message") ? first.get("message").asText() : "the batch " + raw, status == JobStatus.EXPIRED);
        }
        return new ProviderObservation(status, raw, ProviderAdapter.text(body, "id"), progress, null, result, error);
    }
}
