package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.WebhookReceiver.Answer;
import io.jobpulse.app.WebhookReceiver.Received;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's Endpoints view in Chromium ({@code browser-tests/dashboard-endpoints.mjs}) against a
 * real instance and the test receiver ({@link WebhookReceiver}, which checks signatures with the
 * {@code standardwebhooks} package): a URL on a private address is refused with the API's reason; an
 * endpoint registered in the page shows its secret once, and that secret verifies the delivery of a
 * job this test submits, which the page then lists as delivered; a delivery that failed every attempt
 * shows as failed with a Retry button, which sends it again; "Send test" sends a ping; Pause and
 * Resume, Rotate secret (a new secret, shown once) and Delete act on the endpoint. Screenshots:
 * {@code target/dashboard-endpoints.png} and, at 390 px, {@code dashboard-endpoints-390.png}.
 */
class DashboardEndpointsBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(60);
    /** A user and tag of this test alone: the broker and database are shared with other test classes. */
    private static final String USER = "endpoints-ada";
    private static final String TAG = "endpoints-ui";
    private static final String PATH = "/hooks/dashboard";

    @Test
    void aUserRegistersAnEndpointSeesItsDeliveriesAndActsOnIt() throws Exception {
        Map<String, Object> props = new HashMap<>(JobpulseInstance.LOOPBACK_ALLOWED);
        props.put("jobpulse.notifications.allow-http", "true");
        // Two quick attempts, so that a failed delivery shows within the test.
        props.put("jobpulse.notifications.retry-schedule", "0s,300ms");
        try (WebhookReceiver receiver = WebhookReceiver.start(); JobpulseInstance jobpulse = JobpulseInstance.start(props)) {
            String token = JobpulseInstance.token(USER);
            Path target = Path.of("target").toAbsolutePath();
            try (NodeScript browser = BrowserTests.start("dashboard-endpoints.mjs", "--base", jobpulse.uri("/").toString().replaceAll("/$", ""),
                    "--token", token, "--url", receiver.url(PATH), "--tag", TAG, "--screenshots", target.toString())) {
                assertThat(browser.awaitLine(step("refused"), STEP).get("message").asText()).contains("will not call this 'url'");

                JsonNode registered = browser.awaitLine(step("registered"), STEP);
                String secret = registered.get("secret").asText();
                assertThat(secret).startsWith("whsec_");
                assertThat(registered.get("status").asText()).isEqualTo("active");
                receiver.configure(PATH, List.of(secret), List.of(), null);
                String job = submit(jobpulse, token);

                JsonNode delivered = browser.awaitLine(step("delivered"), STEP).get("delivery");
                assertThat(delivered.get("job").asText()).isEqualTo(job);
                assertThat(delivered.get("code").asText()).isEqualTo("200");
                Received received = receiver.awaitReceived(PATH, 1, STEP).getFirst();
                assertThat(received.verifiedBy()).as("signed with the secret the page showed").containsExactly(0);
                assertThat(received.json().at("/data/jobId").asText()).isEqualTo(job);

                receiver.configure(PATH, List.of(secret), List.of(Answer.status(500).withBody("receiver down"), Answer.status(500)), null);
                String failing = submit(jobpulse, token);
                JsonNode failed = browser.awaitLine(step("failed"), STEP);
                assertThat(failed.at("/delivery/job").asText()).isEqualTo(failing);
                assertThat(failed.at("/delivery/attempts").asInt()).isEqualTo(2);
                assertThat(failed.at("/delivery/code").asText()).isEqualTo("500");
                assertThat(failed.get("retryButton").asBoolean()).isTrue();
                JsonNode retried = browser.awaitLine(step("retried"), STEP).get("delivery");
                assertThat(retried.get("code").asText()).isEqualTo("200");

                assertThat(browser.awaitLine(step("pinged"), STEP).at("/delivery/type").asText()).isEqualTo("ping");
                assertThat(browser.awaitLine(step("paused"), STEP).get("then").asText()).isEqualTo("active");
                String rotated = browser.awaitLine(step("rotated"), STEP).get("secret").asText();
                assertThat(rotated).startsWith("whsec_").isNotEqualTo(secret);

                JsonNode shots = browser.awaitLine(step("screenshots"), STEP);
                assertThat(shots.at("/overflow/390").asInt()).as("nothing wider than a phone").isLessThanOrEqualTo(0);
                assertThat(browser.awaitLine(step("deleted"), STEP).get("endpoints").asInt()).isZero();
                browser.assertSucceeds(Duration.ofSeconds(30));
                for (String name : List.of("dashboard-endpoints.png", "dashboard-endpoints-390.png")) {
                    assertThat(Files.size(target.resolve(name))).as(name).isGreaterThan(10_000);
                }
                assertThat(json(jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/endpoints")).header("Authorization", "Bearer " + token)))
                        .get("endpoints")).as("deleted").isEmpty();
                assertThat(browser.lines).as("no script errors on the page").noneMatch(line -> line.has("pageError"));
            }
        }
    }

    private static Predicate<JsonNode> step(String name) {
        return line -> line.path("step").asText().equals(name);
    }

    private static String submit(JobpulseInstance jobpulse, String token) {
        HttpResponse<String> answer = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"image.generate\",\"tags\":[\"" + TAG + "\"]}")));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return json(answer).get("id").asText();
    }
}
