package io.jobpulse.processors.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;

import java.util.Map;

/**
 * Any other provider, read by a mapping from configuration: JSON pointers to its status,
 * request id, progress, message, result and error fields, and its status words mapped to
 * canonical statuses. Progress may be a fraction (0..1) or a percentage (over 1).
 *
 * @param statuses the provider's status words, each to a canonical status; unknown words observe no status
 */
public record MappedAdapter(String name, String statusPointer, Map<String, JobStatus> statuses, String requestIdPointer,
                            String progressPointer, String messagePointer, String resultPointer, String errorPointer)
        implements ProviderAdapter {

    public MappedAdapter {
        statuses = Map.copyOf(statuses);
    }

    @Override
    public ProviderObservation observe(JsonNode body) {
        String raw = text(body, statusPointer);
        JobStatus status = raw == null ? null : statuses.get(raw);
        JsonNode progress = at(body, progressPointer);
        Double fraction = progress == null || !progress.isNumber() ? null
                : progress.asDouble() > 1 ? progress.asDouble() / 100 : progress.asDouble();
        String error = text(body, errorPointer);
        return new ProviderObservation(status, raw, text(body, requestIdPointer), fraction, text(body, messagePointer),
                status == JobStatus.SUCCEEDED ? at(body, resultPointer) : null,
                status == JobStatus.FAILED ? new JobError("provider-error", error == null ? "the provider reported failure" : error, false) : null);
    }

    private static JsonNode at(JsonNode body, String pointer) {
        if (pointer == null || pointer.isEmpty()) {
            return null;
        }
        JsonNode value = body.at(pointer);
        return value.isMissingNode() || value.isNull() ? null : value;
    }

    private static String text(JsonNode body, String pointer) {
        JsonNode value = at(body, pointer);
        return value == null || value.asText().isEmpty() ? null : value.asText();
    }
}
