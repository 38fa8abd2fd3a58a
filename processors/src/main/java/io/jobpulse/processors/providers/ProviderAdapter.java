package io.jobpulse.processors.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.ProviderObservation;

/**
 * Reads one provider's payloads (webhook bodies, status responses) in Jobpulse's vocabulary:
 * canonical status, progress, result and error, keeping the provider's own status word. Pure:
 * no I/O, no clock; the raw payload travels beside the observation in the event.
 */
public interface ProviderAdapter {

    /** The provider's name in configuration and in events, e.g. {@code replicate}. */
    String name();

    /** What the payload says about the job; fields it does not carry are null. */
    ProviderObservation observe(JsonNode payload);

    /** The text at a field, or null when it is missing, null or empty. */
    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
    }
}
