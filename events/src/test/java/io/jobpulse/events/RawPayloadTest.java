package io.jobpulse.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What is kept of a provider's payload is bounded, and a cut one says so. */
class RawPayloadTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    @Test
    void keepsAPayloadWithinTheBoundAsItIs() {
        RawPayload raw = new RawPayload(Map.of("webhook-id", "d1"), JSON.objectNode().put("status", "ok"));

        assertThat(raw.cappedTo(1_000)).isSameAs(raw);
    }

    @Test
    void cutsALargerBodyToTheStartOfItsJsonAndMarksIt() {
        ObjectNode body = JSON.objectNode().put("status", "succeeded").put("output", "\"quoted\" é ".repeat(20_000));
        int whole = JobJson.write(body).length;

        RawPayload cut = new RawPayload(Map.of("webhook-id", "d1"), body).cappedTo(4_096);

        assertThat(JobJson.write(cut.body()).length).isLessThanOrEqualTo(4_096).isGreaterThan(1_000);
        assertThat(cut.body().isTextual()).isTrue();
        assertThat(cut.body().asText()).startsWith("{\"status\":\"succeeded\"");
        assertThat(cut.headers()).containsEntry("webhook-id", "d1").containsEntry(RawPayload.TRUNCATED, Integer.toString(whole));
    }
}
