package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.demo.PretendProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    private static PretendProvider bria;

    @BeforeAll
    static void start() throws Exception {
        bria = new PretendProvider(PretendProvider.Behaviour.reliable(new byte[32]));
    }

    @AfterAll
    static void stop() {
        bria.close();
    }

    private static JobpulseInstance instance() {
        Map<String, Object> props = new HashMap<>();
        props.put("jobpulse.providers.bria.credentials.default", CREDENTIAL);
        props.put("jobpulse.providers.bria.status-urls.v2.url", bria.briaStatusUrlTemplate());
        props.put("jobpulse.providers.bria.status-urls.v2.credential", "default");
        props.putAll(JobpulseInstance.LOOPBACK_ALLOWED);
        props.put("jobpulse.poller.max-wait", "1s");
        props.put("jobpulse.providers.bria.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(BRIA_SECRET)));
        return JobpulseInstance.start(props);
    }

    private static String poll(JobpulseInstance jobpulse, String job, String requestId) {
        var accepted = jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + bria.briaStatusUrl(requestId)
                + "\",\"provider\":\"bria\",\"interval\":\"PT0.1S\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return job;
    }

    private static String submit(JobpulseInstance jobpulse) {
        return json(jobpulse.post("/v1/jobs", "{\"type\":\"x.poll\"}")).get("id").asText();
    }

    @Test
    void aJobReachesItsEndThroughPollingAloneAndUnchangedAnswersWriteNothing() {
        bria.script("r1",
                PretendProvider.Answer.ok("{\"status\":\"IN_PROGRESS\",\"request_id\":\"r1\"}"),
                PretendProvider.Answer.ok("{\"status\":\"IN_PROGRESS\",\"request_id\":\"r1\"}"),
                new PretendProvider.Answer(500, "{\"error\":\"upstream hiccup\"}", Map.of()),
                PretendProvider.Answer.ok("{\"status\":\"IN_PROGRESS\",\"request_id\":\"r1\"}"),
                new PretendProvider.Answer(429, "{\"error\":\"slow down\"}", Map.of("Retry-After", "1")),
                PretendProvider.Answer.ok("{\"status\":\"COMPLETED\",\"request_id\":\"r1\",\"result\":{\"image_url\":\"https://bria.example/r1.png\",\"seed\":7}}"));
        try (JobpulseInstance jobpulse = instance()) {
            String job = poll(jobpulse, submit(jobpulse), "r1");

            await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(json(jobpulse.get("/v1/jobs/" + job)).path("status").asText())
                    && "r1".equals(json(jobpulse.get("/v1/jobs/" + job)).at("/provider/requestId").asText()));
            JsonNode state = json(jobpulse.get("/v1/jobs/" + job));
            assertThat(state.at("/result/image_url").asText()).isEqualTo("https://bria.example/r1.png");
            assertThat(state.at("/provider/rawStatus").asText()).isEqualTo("COMPLETED");
            assertThat(state.at("/poll/statusUrl").asText()).isEqualTo(bria.briaStatusUrl("r1"));
            assertThat(state.get("version").asLong()).as("submitted, poll requested, running, request r1 granted, succeeded")
                    .isEqualTo(5);
            assertThat(bria.requests("r1")).isGreaterThanOrEqualTo(6);
            assertThat(bria.authorizations()).contains(CREDENTIAL);

            await().atMost(Duration.ofSeconds(20)).until(() ->
                    json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).path("events").size() == 5);
            // The job has ended: a late report is refused at once and writes nothing.
            assertThat(jobpulse.post("/v1/jobs/" + job + "/reports", "{\"progress\":0.5}").statusCode()).isEqualTo(409);
            assertThat(rawTypes(jobpulse, job)).as("only the first poll request was written")
                    .containsOnlyOnce("job.poll-requested").doesNotContain("job.report-received");
        }
    }

    private static List<String> rawTypes(JobpulseInstance jobpulse, String job) {
        List<String> types = new ArrayList<>();
        json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).get("events").forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    @Test
    void pollRequestsAreCheckedBeforeAnythingIsWritten() {
        try (JobpulseInstance jobpulse = instance()) {
            String job = submit(jobpulse);
            String url = bria.briaStatusUrl("r0");
            for (var bad : Map.of(
                    "provider", "{\"statusUrl\":\"" + url + "\",\"provider\":\"nobody\"}",
                    "statusUrl", "{\"statusUrl\":\"ftp://x.example/s\",\"provider\":\"bria\"}",
                    "credential", "{\"statusUrl\":\"" + url + "\",\"provider\":\"bria\",\"credential\":\"stolen\"}",
                    "interval", "{\"statusUrl\":\"" + url + "\",\"provider\":\"bria\",\"interval\":\"PT0.001S\"}",
                    "quietFor", "{\"statusUrl\":\"" + url + "\",\"provider\":\"bria\",\"quietFor\":\"PT0.5S\"}").entrySet()) {
                var answer = jobpulse.post("/v1/jobs/" + job + "/poll", bad.getValue());
                assertThat(answer.statusCode()).as(bad.getKey()).isEqualTo(400);
                assertThat(json(answer).get("field").asText()).isEqualTo(bad.getKey());
            }
        }
    }
}
