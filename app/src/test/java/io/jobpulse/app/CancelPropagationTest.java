package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.demo.PretendProvider;
import io.jobpulse.ingest.ProviderCancels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Canceling a job whose provider request is known asks the provider to cancel it, and the answer
 * is recorded in the log: against the real broker and a fake Replicate.
 */
class CancelPropagationTest {

    private static final byte[] SECRET = "replicate's secret, 32 bytes....".getBytes(StandardCharsets.UTF_8);
    private static PretendProvider replicate;
    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() throws Exception {
        replicate = new PretendProvider(PretendProvider.Behaviour.reliable(new byte[32]));
        jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.outbound.allowed-private-networks", "127.0.0.1/32",
                "jobpulse.providers.replicate.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(SECRET)),
                "jobpulse.providers.replicate.credentials.api", "Token r8-test",
                "jobpulse.providers.replicate.cancel-url", replicate.baseUrl() + "/v1/predictions/{requestId}/cancel",
                "jobpulse.providers.replicate.cancel-credential", "api",
                "jobpulse.provider-cancels.group-id", "cancel-test-" + System.nanoTime()));
        ProviderCancels cancels = jobpulse.context().getBean(ProviderCancels.class);
        await().atMost(Duration.ofSeconds(30)).until(cancels::isAssigned);
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
        replicate.close();
    }

    /** A running job whose Replicate prediction is known (told by a signed webhook). */
    private static String runningAt(String prediction) {
        JsonNode accepted = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.cancel\"}"));
        String job = accepted.get("id").asText();
        var callback = jobpulse.send(StandardWebhooksSigner.signed(jobpulse.uri(accepted.at("/links/webhook").asText()),
                "msg-" + prediction, "{\"id\":\"" + prediction + "\",\"status\":\"processing\"}", SECRET, Instant.now()));
        assertThat(callback.statusCode()).isEqualTo(200);
        // Running (version 2), then the request granted to the job (version 3).
        jobpulse.awaitRequestGranted(job, prediction);
        return job;
    }

    private static JsonNode recordedAnswer(String job) {
        await().atMost(Duration.ofSeconds(30)).until(() -> json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).path("events")
                .findValues("type").stream().anyMatch(type -> type.asText().equals("job.provider-cancel-recorded")));
        for (JsonNode event : json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).get("events")) {
            if (event.get("type").asText().equals("job.provider-cancel-recorded")) {
                return event;
            }
        }
        throw new AssertionError("no recorded answer");
    }

    @Test
    void aCanceledJobsPredictionIsCanceledAtTheProviderAndTheAnswerRecorded() {
        String job = runningAt("pred-c1");

        assertThat(jobpulse.post("/v1/jobs/" + job + "/cancel", "{\"reason\":\"user left\"}").statusCode()).isEqualTo(202);

        JsonNode answer = recordedAnswer(job);
        assertThat(replicate.cancels()).contains("POST /v1/predictions/pred-c1/cancel Token r8-test");
        assertThat(answer.at("/event/succeeded").asBoolean()).isTrue();
        assertThat(answer.at("/event/httpStatus").asInt()).isEqualTo(200);
        assertThat(answer.has("appliedAs")).as("the job has ended: the answer is kept, not applied").isFalse();
        assertThat(json(jobpulse.get("/v1/jobs/" + job)).get("status").asText()).isEqualTo("canceled");
    }

    @Test
    void aProviderThatRefusesIsAskedThreeTimesAndTheFailureRecorded() {
        replicate.cancelAnswers("pred-c2", 502);
        String job = runningAt("pred-c2");

        jobpulse.post("/v1/jobs/" + job + "/cancel", "{}");

        JsonNode answer = recordedAnswer(job);
        assertThat(answer.at("/event/succeeded").asBoolean()).isFalse();
        assertThat(answer.at("/event/httpStatus").asInt()).isEqualTo(502);
        assertThat(replicate.cancels().stream().filter(call -> call.contains("pred-c2"))).hasSize(3);
    }

    @Test
    void aJobWithoutAKnownRequestIsNotSentToTheProvider() {
        String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.cancel\"}")).get("id").asText();
        String sentinel = runningAt("pred-c3");
        int before = replicate.cancels().size();

        jobpulse.post("/v1/jobs/" + job + "/cancel", "{}");
        jobpulse.post("/v1/jobs/" + sentinel + "/cancel", "{}");

        recordedAnswer(sentinel);
        assertThat(replicate.cancels().subList(before, replicate.cancels().size())).singleElement()
                .satisfies(call -> assertThat(call).contains("pred-c3"));
    }
}
