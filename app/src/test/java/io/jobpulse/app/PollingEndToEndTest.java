package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Jobs followed by polling their provider's status URL, against the real broker and a fake
 * provider: they reach their terminal state through polling alone; unchanged answers write
 * nothing; errors and Retry-After are waited out; credentials reach the provider and nothing
 * else; polling goes on after the poller's instance is replaced.
 */
class PollingEndToEndTest {

    private static final String CREDENTIAL = "Bearer s3cret-token";
    private static final byte[] BRIA_SECRET = "bria's webhook secret, 32 bytes!".getBytes(StandardCharsets.UTF_8);
    private static FakeProvider bria;

    @BeforeAll
    static void start() throws Exception {
        bria = new FakeProvider();
    }

    @AfterAll
    static void stop() {
        bria.close();
    }

    private static JobpulseInstance instance() {
        Map<String, Object> props = new HashMap<>();
        props.put("jobpulse.providers.bria.credentials.default", CREDENTIAL);
        props.put("jobpulse.poller.max-wait", "1s");
        props.put("jobpulse.providers.bria.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(BRIA_SECRET)));
        return JobpulseInstance.start(props);
    }

    private static String poll(JobpulseInstance jobpulse, String job, String requestId) {
        var accepted = jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + bria.statusUrl(requestId)
                + "\",\"provider\":\"bria\",\"credential\":\"default\",\"interval\":\"PT0.1S\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return job;
    }

    private static String submit(JobpulseInstance jobpulse) {
        return json(jobpulse.post("/v1/jobs", "{\"type\":\"x.poll\"}")).get("id").asText();
    }

    @Test
    void aJobReachesItsEndThroughPollingAloneAndUnchangedAnswersWriteNothing() {
        bria.script("r1",
                FakeProvider.Answer.ok("{\"status\":\"IN_PROGRESS\",\"request_id\":\"r1\"}"),
                FakeProvider.Answer.ok("{\"status\":\"IN_PROGRESS\",\"request_id\":\"r1\"}"),
                new FakeProvider.Answer(500, "{\"error\":\"upstream hiccup\"}", Map.of()),
                FakeProvider.Answer.ok("{\"status\":\"IN_PROGRESS\",\"request_id\":\"r1\"}"),
                new FakeProvider.Answer(429, "{\"error\":\"slow down\"}", Map.of("Retry-After", "1")),
                FakeProvider.Answer.ok("{\"status\":\"COMPLETED\",\"request_id\":\"r1\",\"result\":{\"image_url\":\"https://bria.example/r1.png\",\"seed\":7}}"));
        try (JobpulseInstance jobpulse = instance()) {
            String job = poll(jobpulse, submit(jobpulse), "r1");

            await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(json(jobpulse.get("/v1/jobs/" + job)).path("status").asText()));
            JsonNode state = json(jobpulse.get("/v1/jobs/" + job));
            assertThat(state.at("/result/image_url").asText()).isEqualTo("https://bria.example/r1.png");
            assertThat(state.at("/provider/rawStatus").asText()).isEqualTo("COMPLETED");
            assertThat(state.at("/poll/statusUrl").asText()).isEqualTo(bria.statusUrl("r1"));
            assertThat(state.get("version").asLong()).as("submitted, poll requested, running, succeeded").isEqualTo(4);
            assertThat(bria.requests("r1")).isGreaterThanOrEqualTo(6);
            assertThat(bria.authorizations()).contains(CREDENTIAL);

            await().atMost(Duration.ofSeconds(20)).until(() ->
                    json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).path("events").size() == 4);
            String raw = jobpulse.get("/v1/jobs/" + job + "/history?raw=true").body();
            assertThat(json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).get("events"))
                    .as("two poll observations: the unchanged answers wrote nothing")
                    .filteredOn(event -> event.get("type").asText().equals("job.poll-observed")).hasSize(2);
            assertThat(raw).doesNotContain("s3cret");
            int polls = bria.requests("r1");
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> bria.requests("r1") == polls);
        }
    }

    @Test
    void pollingGoesOnWhenThePollersInstanceIsReplaced() {
        bria.script("r2", FakeProvider.Answer.ok("{\"status\":\"IN_PROGRESS\",\"request_id\":\"r2\"}"));
        String job;
        try (JobpulseInstance first = instance()) {
            job = poll(first, submit(first), "r2");
            await().atMost(Duration.ofSeconds(30)).until(() -> bria.requests("r2") >= 2);
        }
        try (JobpulseInstance second = instance()) {
            int before = bria.requests("r2");
            await().atMost(Duration.ofSeconds(60)).until(() -> bria.requests("r2") > before);
            bria.script("r2", FakeProvider.Answer.ok("{\"status\":\"ERROR\",\"request_id\":\"r2\",\"error\":{\"code\":500,\"message\":\"engine failed\"}}"));

            String id = job;
            await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(json(second.get("/v1/jobs/" + id)).path("status").asText()));
            assertThat(json(second.get("/v1/jobs/" + id)).at("/error/code").asText()).isEqualTo("bria-500");
        }
    }

    @Test
    void aSubmissionCanAskForPollingFromTheStart() {
        bria.script("r3", FakeProvider.Answer.ok("{\"status\":\"COMPLETED\",\"request_id\":\"r3\",\"result\":{\"seed\":3}}"));
        try (JobpulseInstance jobpulse = instance()) {
            var accepted = jobpulse.post("/v1/jobs", "{\"type\":\"x.poll\",\"poll\":{\"statusUrl\":\"" + bria.statusUrl("r3")
                    + "\",\"provider\":\"bria\",\"interval\":\"PT0.1S\"}}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            String job = json(accepted).get("id").asText();

            await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(json(jobpulse.get("/v1/jobs/" + job)).path("status").asText()));
            assertThat(json(jobpulse.get("/v1/jobs/" + job)).get("version").asLong()).as("submitted with its poll, then succeeded").isEqualTo(2);

            var bad = jobpulse.post("/v1/jobs", "{\"type\":\"x.poll\",\"poll\":{\"statusUrl\":\"https://x.example/s\",\"provider\":\"nobody\"}}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(json(bad).get("field").asText()).isEqualTo("poll.provider");
        }
    }

    @Test
    void aReconcilingPollWaitsUntilTheJobGoesQuiet() throws Exception {
        bria.script("r4", FakeProvider.Answer.ok("{\"status\":\"COMPLETED\",\"request_id\":\"r4\",\"result\":{\"seed\":4}}"));
        ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
        try (JobpulseInstance jobpulse = instance()) {
            String job = submit(jobpulse);
            var accepted = jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + bria.statusUrl("r4")
                    + "\",\"provider\":\"bria\",\"interval\":\"PT0.1S\",\"quietFor\":\"PT3S\"}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            AtomicInteger step = new AtomicInteger();
            // The worker keeps reporting, so the job is never quiet for three seconds while this runs.
            worker.scheduleAtFixedRate(() -> jobpulse.post("/v1/jobs/" + job + "/reports",
                    "{\"status\":\"running\",\"progress\":" + step.incrementAndGet() / 100.0 + "}"), 0, 200, TimeUnit.MILLISECONDS);

            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> bria.requests("r4") == 0);
            worker.shutdownNow();

            await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(json(jobpulse.get("/v1/jobs/" + job)).path("status").asText()));
            assertThat(bria.requests("r4")).isPositive();
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void aThinCallbackMakesTheJobBePolledAtOnce() {
        bria.script("r5", FakeProvider.Answer.ok("{\"status\":\"COMPLETED\",\"request_id\":\"r5\",\"result\":{\"seed\":5}}"));
        try (JobpulseInstance jobpulse = instance()) {
            String job = submit(jobpulse);
            var accepted = jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + bria.statusUrl("r5")
                    + "\",\"provider\":\"bria\",\"quietFor\":\"PT1H\"}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + job)).path("version").asInt() == 2);
            assertThat(bria.requests("r5")).as("a reconciling poll waits an hour of quiet").isZero();

            var thin = jobpulse.send(StandardWebhooksSigner.signed(jobpulse.uri("/v1/webhooks/bria?job=" + job), "msg_thin",
                    "{\"request_id\":\"r5\"}", BRIA_SECRET, Instant.now()));

            assertThat(thin.statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> "succeeded".equals(json(jobpulse.get("/v1/jobs/" + job)).path("status").asText()));
            assertThat(bria.requests("r5")).isPositive();
        }
    }

    @Test
    void pollRequestsAreCheckedBeforeAnythingIsWritten() {
        try (JobpulseInstance jobpulse = instance()) {
            String job = submit(jobpulse);
            for (var bad : Map.of(
                    "provider", "{\"statusUrl\":\"https://x.example/s\",\"provider\":\"nobody\"}",
                    "statusUrl", "{\"statusUrl\":\"ftp://x.example/s\",\"provider\":\"bria\"}",
                    "credential", "{\"statusUrl\":\"https://x.example/s\",\"provider\":\"bria\",\"credential\":\"stolen\"}",
                    "interval", "{\"statusUrl\":\"https://x.example/s\",\"provider\":\"bria\",\"interval\":\"PT0.001S\"}",
                    "quietFor", "{\"statusUrl\":\"https://x.example/s\",\"provider\":\"bria\",\"quietFor\":\"PT0.5S\"}").entrySet()) {
                var answer = jobpulse.post("/v1/jobs/" + job + "/poll", bad.getValue());
                assertThat(answer.statusCode()).as(bad.getKey()).isEqualTo(400);
                assertThat(json(answer).get("field").asText()).isEqualTo(bad.getKey());
            }
        }
    }
}
