package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.demo.PretendProvider;
import io.jobpulse.ingest.ProviderCancels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests made on a user's behalf, from the attacker's side, with Jobpulse as configured by
 * default (no private address allowed): a poll aimed at a loopback listener with an operator's
 * credential, at the cloud metadata address, or at a provider that lives on loopback, is refused
 * with a problem naming the field, and nothing reaches the target; a provider cancel to loopback
 * is not sent, and the refusal is recorded.
 */
class OutboundTargetsTest {

    private static final String CREDENTIAL = "Bearer operator-s3cret";
    private static PretendProvider pretend;
    private static LoopbackListener target;
    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() throws Exception {
        pretend = new PretendProvider(PretendProvider.Behaviour.reliable(new byte[32]));
        target = new LoopbackListener();
        Map<String, Object> props = new HashMap<>();
        props.put("jobpulse.providers.bria.credentials.default", CREDENTIAL);
        props.put("jobpulse.providers.bria.status-urls.v2.url", pretend.briaStatusUrlTemplate());
        props.put("jobpulse.providers.bria.status-urls.v2.credential", "default");
        props.put("jobpulse.providers.meta.adapter", "bria");
        props.put("jobpulse.providers.meta.status-url", "http://169.254.169.254/latest/{requestId}");
        props.put("jobpulse.providers.local.adapter", "bria");
        props.put("jobpulse.providers.local.status-url", pretend.briaStatusUrlTemplate().replace("127.0.0.1", "localhost"));
        props.put("jobpulse.providers.strict.adapter", "replicate");
        props.put("jobpulse.providers.strict.credentials.api", "Token r8-operator");
        props.put("jobpulse.providers.strict.cancel-url", pretend.baseUrl() + "/v1/predictions/{requestId}/cancel");
        props.put("jobpulse.providers.strict.cancel-credential", "api");
        props.put("jobpulse.poller.group-id", "outbound-targets-" + System.nanoTime());
        props.put("jobpulse.provider-cancels.group-id", "outbound-targets-cancels-" + System.nanoTime());
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

    /** The answer is a 400 problem naming the field; returns its detail. */
    static String refused(HttpResponse<String> answer, String field) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(answer);
        assertThat(problem.get("type").asText()).isEqualTo("https://jobpulse.io/problems/invalid-request");
        assertThat(problem.get("field").asText()).isEqualTo(field);
        return problem.get("detail").asText();
    }

    static List<String> rawTypes(JobpulseInstance jobpulse, String job) {
        List<String> types = new ArrayList<>();
        json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).path("events").forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    /** A report marks the end of the job's log: once it is in the raw history, every earlier event is. */
    static List<String> typesAfterASentinel(JobpulseInstance jobpulse, String job) {
        assertThat(jobpulse.post("/v1/jobs/" + job + "/reports", "{\"progress\":0.1}").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> rawTypes(jobpulse, job).contains("job.report-received"));
        return rawTypes(jobpulse, job);
    }

    @Test
    void aPollOfALoopbackUrlWithTheOperatorsCredentialIsRefusedAndNothingIsFetched() {
        String attack = target.url("/latest/meta-data");

        String detail = refused(jobpulse.post("/v1/jobs", "{\"type\":\"x.outbound\",\"poll\":{\"statusUrl\":\"" + attack
                + "\",\"provider\":\"bria\",\"credential\":\"default\"}}"), "poll.credential");
        assertThat(detail).contains("chosen by provider bria's configuration");
        detail = refused(jobpulse.post("/v1/jobs", "{\"type\":\"x.outbound\",\"poll\":{\"statusUrl\":\"" + attack
                + "\",\"provider\":\"bria\"}}"), "poll.statusUrl");
        assertThat(detail).contains(pretend.briaStatusUrlTemplate());
        String job = submit();
        refused(jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + attack + "\",\"provider\":\"bria\",\"credential\":\"default\"}"),
                "credential");
        refused(jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + attack + "\",\"provider\":\"bria\"}"), "statusUrl");

        assertThat(typesAfterASentinel(jobpulse, job)).containsExactly("job.submitted", "job.report-received");
        assertThat(target.received()).isEmpty();
    }

    @Test
    void theCloudMetadataAddressIsRefusedEvenWhenAProvidersTemplateNamesIt() {
        String job = submit();

        String detail = refused(jobpulse.post("/v1/jobs/" + job + "/poll",
                "{\"statusUrl\":\"http://169.254.169.254/latest/meta-data\",\"provider\":\"meta\"}"), "statusUrl");
        assertThat(detail).contains("link-local").contains("jobpulse.outbound.allowed-private-networks");
        refused(jobpulse.post("/v1/jobs/" + job + "/poll",
                "{\"statusUrl\":\"http://169.254.169.254/latest/meta-data/\",\"provider\":\"bria\"}"), "statusUrl");
        refused(jobpulse.post("/v1/jobs/" + job + "/poll",
                "{\"statusUrl\":\"http://[::ffff:169.254.169.254]/latest/meta-data\",\"provider\":\"meta\"}"), "statusUrl");

        assertThat(typesAfterASentinel(jobpulse, job)).containsExactly("job.submitted", "job.report-received");
    }

    @Test
    void aProviderWhoseHostResolvesToLoopbackIsNotPolledUnlessTheOperatorAllowsIt() {
        String job = submit();

        assertThat(refused(jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"" + pretend.briaStatusUrl("r-lit")
                + "\",\"provider\":\"bria\"}"), "statusUrl")).contains("loopback");
        assertThat(refused(jobpulse.post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\""
                + pretend.briaStatusUrl("r-name").replace("127.0.0.1", "localhost") + "\",\"provider\":\"local\"}"), "statusUrl"))
                .contains("the host localhost resolves to a loopback address");

        assertThat(typesAfterASentinel(jobpulse, job)).containsExactly("job.submitted", "job.report-received");
        assertThat(pretend.requests("r-lit") + pretend.requests("r-name")).isZero();
    }

    @Test
    void aCancelToAProviderOnLoopbackIsNotSentAndTheRefusalIsRecorded() {
        String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.outbound\",\"provider\":{\"name\":\"strict\",\"requestId\":\"pred-s1\"}}"))
                .get("id").asText();
        // A cancel acts on the request the job was granted: wait for the grant.
        jobpulse.awaitRequestGranted(job, "pred-s1");

        assertThat(jobpulse.post("/v1/jobs/" + job + "/cancel", "{}").statusCode()).isEqualTo(202);

        JsonNode answer = recordedCancel(jobpulse, job);
        assertThat(answer.at("/event/succeeded").asBoolean()).isFalse();
        assertThat(answer.at("/event/httpStatus").isMissingNode()).isTrue();
        assertThat(answer.at("/event/detail").asText()).contains("not sent").contains("loopback");
        assertThat(pretend.cancels()).isEmpty();
    }

    static JsonNode recordedCancel(JobpulseInstance jobpulse, String job) {
        await().atMost(Duration.ofSeconds(30)).until(() -> rawTypes(jobpulse, job).contains("job.provider-cancel-recorded"));
        for (JsonNode event : json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).get("events")) {
            if (event.get("type").asText().equals("job.provider-cancel-recorded")) {
                return event;
            }
        }
        throw new AssertionError("no recorded answer");
    }
}
