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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.OutboundTargetsTest.recordedCancel;
import static io.jobpulse.app.OutboundTargetsTest.refused;
import static io.jobpulse.app.OutboundTargetsTest.typesAfterASentinel;
import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests made on a user's behalf, from the attacker's side, with the pretend provider on
 * loopback allowed by the operator ({@code jobpulse.outbound.allowed-private-networks}): allowing
 * an address opens only the providers' templates on it, not its other ports or paths; a status URL
 * in a signed callback that is not a template's starts no poll; a cancel whose request id would
 * lead outside the template is not sent; an oversized answer never reaches the history and the
 * poller goes on.
 */
class OutboundWithLoopbackAllowedTest {

    private static final String CREDENTIAL = "Bearer operator-s3cret";
    private static final byte[] SECRET = "replicate's secret, 32 bytes....".getBytes(StandardCharsets.UTF_8);
    private static PretendProvider pretend;
    private static LoopbackListener target;
    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() throws Exception {
        pretend = new PretendProvider(PretendProvider.Behaviour.reliable(new byte[32]));
        target = new LoopbackListener();
        Map<String, Object> props = new HashMap<>();
        props.put("jobpulse.outbound.allowed-private-networks", List.of("127.0.0.0/8", "::1/128"));
        props.put("jobpulse.providers.bria.credentials.default", CREDENTIAL);
        props.put("jobpulse.providers.bria.status-urls.v2.url", pretend.briaStatusUrlTemplate());
        props.put("jobpulse.providers.bria.status-urls.v2.credential", "default");
        props.put("jobpulse.providers.local.adapter", "bria");
        props.put("jobpulse.providers.local.status-url", pretend.briaStatusUrlTemplate().replace("127.0.0.1", "localhost"));
        props.put("jobpulse.providers.replicate.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(SECRET)));
        props.put("jobpulse.providers.replicate.credentials.api", "Token r8-operator");
        props.put("jobpulse.providers.replicate.cancel-url", pretend.baseUrl() + "/v1/predictions/{requestId}/cancel");
        props.put("jobpulse.providers.replicate.cancel-credential", "api");
        props.put("jobpulse.poller.max-wait", "1s");
        props.put("jobpulse.poller.group-id", "outbound-allowed-" + System.nanoTime());
        props.put("jobpulse.provider-cancels.group-id", "outbound-allowed-cancels-" + System.nanoTime());
        jobpulse = JobpulseInstance.start(props);
        ProviderCancels cancels = jobpulse.context().getBean(ProviderCancels.class);
        await().atMost(Duration.ofSeconds(30)).until(cancels::isAssigned);
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
        target.close();
        pretend.close();
    }

    private static String submit() {
        return json(jobpulse.post("/v1/jobs", "{\"type\":\"x.outbound\"}")).get("id").asText();
    }

    private static void awaitStatus(String job, String status) {
        await().atMost(Duration.ofSeconds(30)).until(() -> status.equals(json(jobpulse.get("/v1/jobs/" + job)).path("status").asText()));
    }

    private static String completed(String id) {
        return "{\"status\":\"COMPLETED\",\"request_id\":\"" + id + "\",\"result\":{\"image_url\":\"https://bria.example/" + id + ".png\"}}";
    }

    @Test
    void anAllowedAddressOpensOnlyTheTemplatesNotItsOtherPortsOrPaths() {
        String job = submit();
        String base = pretend.baseUrl();
        for (String attack : List.of(target.url("/latest/meta-data"), target.url("/v2/status/x1"), base + "/v1/predictions/x2",
                base + "/v2/status/x3/../../v1/predictions/x3", base + "/v2/status/a%2Fx4", base + "/v2/status/x5/more",
                "http://user@" + base.substring("http://".length()) + "/v2/status/x6", base.replace("http:", "https:") + "/v2/status/x7")) {
            refused(jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + attack + "\",\"provider\":\"bria\"}"), "statusUrl");
        }
        refused(jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + target.url("/latest/meta-data")
                + "\",\"provider\":\"bria\",\"credential\":\"default\"}"), "credential");

        // The template itself is polled, with the credential the operator gave it: the pollers have run meanwhile.
        pretend.script("ok-1", PretendProvider.Answer.ok(completed("ok-1")));
        assertThat(jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + pretend.briaStatusUrl("ok-1")
                + "\",\"provider\":\"bria\",\"interval\":\"PT0.1S\"}").statusCode()).isEqualTo(202);
        awaitStatus(job, "succeeded");
        assertThat(pretend.authorizations()).contains(CREDENTIAL);
        assertThat(target.received()).isEmpty();
        for (String id : List.of("x1", "x2", "x3", "x4", "a%2Fx4", "x5", "x6", "x7")) {
            assertThat(pretend.requests(id)).as(id).isZero();
        }
    }

    @Test
    void aProviderWhoseHostResolvesToLoopbackIsPolledWhenTheOperatorAllowsIt() {
        String job = submit();
        pretend.script("l-1", PretendProvider.Answer.ok(completed("l-1")));

        var answer = jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\""
                + pretend.briaStatusUrl("l-1").replace("127.0.0.1", "localhost") + "\",\"provider\":\"local\",\"interval\":\"PT0.1S\"}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        awaitStatus(job, "succeeded");
        assertThat(pretend.requests("l-1")).isPositive();
    }

    @Test
    void anOversizedAnswerNeverReachesTheHistoryAndThePollerGoesOn() {
        String padding = "x".repeat(5 << 20);
        pretend.script("big-1", PretendProvider.Answer.ok("{\"status\":\"IN_PROGRESS\",\"request_id\":\"big-1\",\"pad\":\"" + padding + "\"}"));
        pretend.script("small-1", PretendProvider.Answer.ok(completed("small-1")));
        String big = submit();
        String small = submit();

        assertThat(jobpulse.post("/v1/jobs/" + big + "/poll", "{\"statusUrl\":\"" + pretend.briaStatusUrl("big-1")
                + "\",\"provider\":\"bria\",\"interval\":\"PT0.1S\"}").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> pretend.requests("big-1") >= 2);
        assertThat(jobpulse.post("/v1/jobs/" + small + "/poll", "{\"statusUrl\":\"" + pretend.briaStatusUrl("small-1")
                + "\",\"provider\":\"bria\",\"interval\":\"PT0.1S\"}").statusCode()).isEqualTo(202);

        awaitStatus(small, "succeeded");
        assertThat(typesAfterASentinel(jobpulse, big)).doesNotContain("job.poll-observed");
        assertThat(jobpulse.get("/v1/jobs/" + big + "/history?raw=true").body()).doesNotContain("xxxxxxxx");

        // Once the provider answers within the limit again, the same job is polled to its end.
        pretend.script("big-1", PretendProvider.Answer.ok(completed("big-1")));
        awaitStatus(big, "succeeded");
    }

    @Test
    void aCancelWhoseRequestIdWouldLeaveTheTemplateIsNotSent() {
        String escaping = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.outbound\",\"provider\":{\"name\":\"replicate\",\"requestId\":\"..\"}}"))
                .get("id").asText();
        String sentinel = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.outbound\",\"provider\":{\"name\":\"replicate\",\"requestId\":\"pred-ok\"}}"))
                .get("id").asText();

        // A cancel acts on the request the job was granted: wait for both grants.
        jobpulse.awaitRequestGranted(escaping, "..");
        jobpulse.awaitRequestGranted(sentinel, "pred-ok");
        jobpulse.post("/v1/jobs/" + escaping + "/cancel", "{}");
        jobpulse.post("/v1/jobs/" + sentinel + "/cancel", "{}");

        JsonNode refusedCancel = recordedCancel(jobpulse, escaping);
        assertThat(refusedCancel.at("/event/succeeded").asBoolean()).isFalse();
        assertThat(refusedCancel.at("/event/detail").asText()).contains("not sent").contains("is not a URL of");
        assertThat(recordedCancel(jobpulse, sentinel).at("/event/succeeded").asBoolean()).isTrue();
        assertThat(pretend.cancels()).containsExactly("POST /v1/predictions/pred-ok/cancel Token r8-operator");
    }

    @Test
    void aStatusUrlInASignedCallbackThatIsNoTemplatesStartsNoPoll() {
        JsonNode accepted = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.outbound\"}"));
        String job = accepted.get("id").asText();
        // A thin callback (no status) whose urls.get points at the listener: Replicate's dialect, validly signed.
        var callback = jobpulse.send(StandardWebhooksSigner.signed(jobpulse.uri(accepted.at("/webhooks/replicate").asText()), "msg-thin-1",
                "{\"id\":\"pred-thin\",\"urls\":{\"get\":\"" + target.url("/latest/meta-data") + "\"}}", SECRET, Instant.now()));
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);

        jobpulse.awaitRequestGranted(job, "pred-thin");
        assertThat(json(jobpulse.get("/v1/jobs/" + job)).at("/poll/statusUrl").isMissingNode()).as("no poll was started").isTrue();
        assertThat(typesAfterASentinel(jobpulse, job)).doesNotContain("job.poll-observed");
        assertThat(target.received()).isEmpty();
    }
}
