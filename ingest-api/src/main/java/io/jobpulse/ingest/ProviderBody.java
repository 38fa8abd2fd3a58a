package io.jobpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.jobpulse.events.JobJson;
import org.apache.kafka.common.errors.SerializationException;

import java.nio.charset.StandardCharsets;

/**
 * What a provider sent (a callback's body, a status answer), as the adapters read it: the JSON it
 * is, or, when it is not JSON, its text as a JSON string, so that nothing received is dropped.
 */
final class ProviderBody {

    private ProviderBody() {
    }

    static JsonNode read(byte[] raw) {
        try {
            return JobJson.read(raw, JsonNode.class);
        } catch (SerializationException e) {
            return TextNode.valueOf(new String(raw, StandardCharsets.UTF_8));
        }
    }
}
