package io.jobpulse.app;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Endpoints from the attacker's side, on an instance with the default rules: an endpoint is a URL
 * Jobpulse will POST to, so registering one must not open a way to loopback, private or cloud
 * metadata addresses, nor to plain http; and only a credential that may submit can register one.
 */
class NotificationSafetyTest {

    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of());
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    private static HttpResponse<String> register(String url, String token) {
        return jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/endpoints")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + url + "\"}")));
    }

    @ParameterizedTest
    @CsvSource({
            "http://example.com/hook, must be https",
            "https://127.0.0.1/hook, loopback",
            "https://localhost:8080/hook, loopback",
            "https://[::1]/hook, loopback",
            "https://10.1.2.3/hook, private",
            "https://192.168.0.10/hook, private",
            "https://169.254.169.254/latest/meta-data, link-local",
            "https://0.0.0.0/hook, unspecified",
            "https://api.example@127.0.0.1/hook, user info",
            "ftp://example.com/hook, not an absolute http or https URL",
            "https://example.com/%2e%2e%2Fadmin, encoded slash",
    })
    void aUrlJobpulseMustNotCallIsRefused(String url, String reason) {
        HttpResponse<String> refused = register(url, JobpulseInstance.token(JobpulseInstance.USER));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(refused).path("field").asText()).isEqualTo("url");
        assertThat(json(refused).path("detail").asText()).containsIgnoringCase(reason);
    }

    @Test
    void onlyACredentialThatMaySubmitRegistersAndTheFilterIsChecked() {
        HttpResponse<String> readOnly = register("https://example.com/hook", JobpulseInstance.token(JobpulseInstance.USER, "jobpulse:jobs:read"));
        assertThat(readOnly.statusCode()).as(readOnly.body()).isEqualTo(403);
        assertThat(readOnly.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");

        HttpResponse<String> badFilter = jobpulse.post("/v1/endpoints",
                "{\"url\":\"https://example.com/hook\",\"filter\":{\"statuses\":[\"done\"]}}");
        assertThat(badFilter.statusCode()).as(badFilter.body()).isEqualTo(400);
        assertThat(json(badFilter).path("field").asText()).isEqualTo("filter.statuses");

        HttpResponse<String> badEvent = jobpulse.post("/v1/endpoints",
                "{\"url\":\"https://example.com/hook\",\"filter\":{\"events\":[\"job.finished\"]}}");
        assertThat(badEvent.statusCode()).as(badEvent.body()).isEqualTo(400);
        assertThat(json(badEvent).path("detail").asText()).contains("job.succeeded");

        HttpResponse<String> missing = jobpulse.post("/v1/endpoints", "{}");
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(400);
        assertThat(json(missing).path("field").asText()).isEqualTo("url");
    }
}
