package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.demo.PretendProvider;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Jobs at the pretend provider, the way an app uses Replicate: it submits a job to Jobpulse,
 * creates a prediction over HTTP with the job's webhook link, and Jobpulse follows it through
 * callbacks alone, through polling alone, or through both when callbacks get lost. Against the
 * real broker and PostgreSQL.
 */
class PretendProviderEndToEndTest {

    private static final byte[] SECRET = "the pretend provider's secret!!!".getBytes(StandardCharsets.UTF_8);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Jobpulse with the provider {@code pretend} (Replicate's dialect) at this pretend provider, on loopback, allowed. */
    private static JobpulseInstance instance(PretendProvider provider, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(Map.of(
                "jobpulse.providers.pretend.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(SECRET)),
                "jobpulse.providers.pretend.adapter", "replicate",
                "jobpulse.providers.pretend.status-url", provider.predictionUrlTemplate(),
                "jobpulse.poller.max-wait", "1s"));
        props.putAll(JobpulseInstance.LOOPBACK_ALLOWED);
        props.putAll(extra);
        return JobpulseInstance.start(props);
    }

    /** Submits a job and creates its prediction with the job's webhook link; returns the job id. */
    private static String submitAndPredict(JobpulseInstance jobpulse, PretendProvider provider, boolean fail, String poll) {
        JsonNode accepted = json(jobpulse.post("/v1/jobs", "{\"type\":\"pretend.image\",\"tags\":[\"pretend\"]}"));
        String job = accepted.get("id").asText();
        URI webhook = jobpulse.uri(accepted.at("/webhooks/pretend").asText());
        JsonNode prediction = predict(provider, "{\"input\":{\"fail\":" + fail + "},\"webhook\":\"" + webhook + "\"}");
        assertThat(prediction.get("status").asText()).isEqualTo("starting");
        if (poll != null) {
            var started = jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + prediction.at("/urls/get").asText()
                    + "\",\"provider\":\"pretend\",\"interval\":\"PT0.2S\"" + poll + "}");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        }
        return job;
    }

    private static JsonNode predict(PretendProvider provider, String body) {
        try {
            HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(provider.baseUrl() + "/v1/predictions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            return json(created);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> causes(JobpulseInstance jobpulse, String job) {
        List<String> causes = new ArrayList<>();
        json(jobpulse.get("/v1/jobs/" + job + "/history")).get("changes").forEach(change -> causes.add(change.get("causeEventType").asText()));
        return causes;
    }

    private static void awaitStatus(JobpulseInstance jobpulse, String job, String status) {
        await().atMost(Duration.ofSeconds(40)).until(() -> status.equals(json(jobpulse.get("/v1/jobs/" + job)).path("status").asText()));
    }

    @Test
    void jobsReachTheRightEndThroughCallbacksAloneDespiteDuplicatesAndStaleOnes() throws Exception {
        var behaviour = PretendProvider.Behaviour.reliable(SECRET).withCallbacks(0, 0.3, 0.3);
        try (var provider = new PretendProvider(behaviour); JobpulseInstance jobpulse = instance(provider, Map.of())) {
            List<String> succeeding = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                succeeding.add(submitAndPredict(jobpulse, provider, false, null));
            }
            String failing = submitAndPredict(jobpulse, provider, true, null);

            succeeding.forEach(job -> awaitStatus(jobpulse, job, "succeeded"));
            awaitStatus(jobpulse, failing, "failed");
            JsonNode done = json(jobpulse.get("/v1/jobs/" + succeeding.getFirst()));
            assertThat(done.at("/result/0").asText()).endsWith(".png");
            assertThat(done.at("/provider/metrics/predict_time").asDouble()).isPositive();
            assertThat(json(jobpulse.get("/v1/jobs/" + failing)).at("/error/message").asText()).contains("out of memory");
            await().atMost(Duration.ofSeconds(20)).until(() -> succeeding.stream().allMatch(job -> causes(jobpulse, job).contains("job.callback-received")));
            for (String job : succeeding) {
                assertThat(causes(jobpulse, job)).as("moved by callbacks only").doesNotContain("job.poll-observed")
                        .filteredOn(cause -> cause.equals("job.callback-received")).hasSizeLessThanOrEqualTo(3);
            }
        }
    }

    @Test
    void jobsReachTheirEndThroughPollingAlone() throws Exception {
        try (var provider = new PretendProvider(PretendProvider.Behaviour.reliable(SECRET));
             JobpulseInstance jobpulse = instance(provider, Map.of("jobpulse.providers.bria.max-concurrent-polls", "4",
                     "jobpulse.providers.bria.status-url", provider.briaStatusUrlTemplate()))) {
            JsonNode accepted = json(jobpulse.post("/v1/jobs", "{\"type\":\"pretend.image\"}"));
            String job = accepted.get("id").asText();
            String prediction = predict(provider, "{\"input\":{}}").get("id").asText();
            var started = jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + provider.briaStatusUrl(prediction)
                    + "\",\"provider\":\"bria\",\"interval\":\"PT0.2S\"}");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);

            awaitStatus(jobpulse, job, "succeeded");
            assertThat(json(jobpulse.get("/v1/jobs/" + job)).at("/result/image_url").asText()).endsWith(prediction + ".png");
            assertThat(causes(jobpulse, job)).contains("job.poll-observed").doesNotContain("job.callback-received");
        }
    }

    @Test
    void jobsWhoseCallbacksGetLostEndThroughReconcilingPolls() throws Exception {
        // Long enough that no prediction ends before its poll is registered, even on a loaded machine.
        var behaviour = PretendProvider.Behaviour.reliable(SECRET).withCallbacks(0.7, 0, 0)
                .withDurations(Duration.ofSeconds(4), Duration.ofSeconds(5));
        try (var provider = new PretendProvider(behaviour); JobpulseInstance jobpulse = instance(provider, Map.of())) {
            List<String> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                jobs.add(submitAndPredict(jobpulse, provider, i == 0, ",\"quietFor\":\"PT1S\""));
            }

            awaitStatus(jobpulse, jobs.getFirst(), "failed");
            jobs.subList(1, jobs.size()).forEach(job -> awaitStatus(jobpulse, job, "succeeded"));
            assertThat(provider.misbehaved()).as("callbacks were lost").isPositive();
            List<String> causes = new ArrayList<>();
            jobs.forEach(job -> causes.addAll(causes(jobpulse, job)));
            assertThat(causes).contains("job.callback-received", "job.poll-observed");
        }
    }

    @Test
    void aThinCallbackOfAJobThatIsNotPolledFetchesItsStatusWithTheProvidersCredential() throws Exception {
        var instant = PretendProvider.Behaviour.reliable(SECRET).withDurations(Duration.ZERO, Duration.ZERO);
        try (var provider = new PretendProvider(instant);
             JobpulseInstance jobpulse = instance(provider, Map.of(
                     "jobpulse.providers.openai.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(SECRET)),
                     "jobpulse.providers.openai.status-url", provider.baseUrl() + "/v1/batches/{requestId}",
                     "jobpulse.providers.openai.credentials.api", "Bearer sk-test",
                     "jobpulse.providers.openai.status-credential", "api"))) {
            String batch = predict(provider, "{\"input\":{}}").get("id").asText();
            String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"pretend.batch\",\"provider\":{\"name\":\"openai\",\"requestId\":\""
                    + batch + "\"}}")).get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + job)).path("version").asInt() >= 1);
            assertThat(provider.requests(batch)).as("nothing polls a job that asked for no polling").isZero();

            var thin = jobpulse.send(StandardWebhooksSigner.signed(jobpulse.uri("/v1/webhooks/openai"), "evt_1",
                    "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"batch.completed\",\"data\":{\"id\":\"" + batch + "\"}}", SECRET, Instant.now()));

            assertThat(thin.statusCode()).as(thin.body()).isEqualTo(200);
            awaitStatus(jobpulse, job, "succeeded");
            assertThat(provider.requests(batch)).isPositive();
            assertThat(provider.authorizations()).containsOnly("Bearer sk-test");
            assertThat(json(jobpulse.get("/v1/jobs/" + job)).at("/poll/statusUrl").asText()).endsWith("/v1/batches/" + batch);
        }
    }
}
