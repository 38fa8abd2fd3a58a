package io.jobpulse.app;

import io.jobpulse.app.bench.BaselineController;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The submit benchmark's bare endpoint answers without a credential, so it must be absent unless
 * {@code jobpulse.bench.baseline-endpoint} turns it on: a normal deployment does not serve it.
 */
class BaselineEndpointTest {

    private static final String BODY = "{\"type\":\"bench.submit\",\"input\":\"" + "x".repeat(990) + "\"}";

    private static HttpResponse<String> anonymousPost(JobpulseInstance instance) {
        return instance.sendAsIs(HttpRequest.newBuilder(instance.uri(BaselineController.PATH))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY)).build());
    }

    @Test
    void absentByDefault() {
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.roles", "ingest"))) {
            assertThat(anonymousPost(jobpulse).statusCode()).as("anonymous").isEqualTo(401);
            HttpResponse<String> authenticated = jobpulse.post(BaselineController.PATH, BODY);
            assertThat(authenticated.statusCode()).as(authenticated.body()).isEqualTo(404);
        }
    }

    @Test
    void answersWithoutACredentialWhenEnabled() {
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.roles", "ingest", BaselineController.PROPERTY, "true"))) {
            HttpResponse<String> answer = anonymousPost(jobpulse);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            assertThat(answer.body()).isEqualTo("{\"bytes\":" + BODY.length() + "}");
        }
    }
}
