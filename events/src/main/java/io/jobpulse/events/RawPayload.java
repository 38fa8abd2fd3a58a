package io.jobpulse.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * What came from outside, kept as received so that an audit can show it and a fixed adapter can
 * re-read it. A body that is not JSON is kept as a JSON string.
 *
 * @param headers the headers that matter for the callback (ids, timestamps, signatures), by lower-case name
 * @param body    the body as JSON
 */
public record RawPayload(Map<String, String> headers, JsonNode body) {

    public RawPayload {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
