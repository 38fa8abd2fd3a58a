package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.WebhookReceiver.Answer;
import io.jobpulse.app.WebhookReceiver.Received;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Outbound webhooks as an application meets them: it registers an endpoint, and a receiver that
 * checks every signature with the {@code standardwebhooks} package (not Jobpulse's code) gets one
 * signed delivery per matching change, in order, retried after failures and timeouts, never one
 * of another owner's jobs. Retries are shortened here (0 s, 300 ms, 600 ms, 1 s; 1 s timeout; an
 * endpoint failing for 4 s is disabled).
 */
class NotificationsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static WebhookReceiver receiver;
    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() throws Exception {
        receiver = WebhookReceiver.start();
        Map<String, Object> props = new HashMap<>(JobpulseInstance.LOOPBACK_ALLOWED);
        props.put("jobpulse.notifications.allow-http", "true");
        props.put("jobpulse.notifications.retry-schedule", "0s,300ms,600ms,1s");
        props.put("jobpulse.notifications.request-timeout", "1s");
        props.put("jobpulse.notifications.secret-overlap", "3s");
        props.put("jobpulse.notifications.disable-after", "4s");
        jobpulse = JobpulseInstance.start(props);
    }

    @AfterAll
    static void stop() {
        if (jobpulse != null) {
            jobpulse.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    /** Registers an endpoint for alice's jobs with the tag, on a receiver path answering as given; returns its JSON. */
    static JsonNode register(JobpulseInstance jobpulse, WebhookReceiver receiver, String user, String path, String tag,
                             List<Answer> answers) {
        HttpResponse<String> created = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/endpoints"))
                .header("Authorization", "Bearer " + JobpulseInstance.token(user)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + receiver.url(path) + "\",\"description\":\"test\","
                        + "\"filter\":{\"tags\":[\"" + tag + "\"]}}")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode endpoint = json(created);
        assertThat(endpoint.path("secret").asText()).startsWith("whsec_");
        receiver.configure(path, List.of(endpoint.path("secret").asText()), answers, null);
        return endpoint;
    }

    private static String submit(String tag) {
        HttpResponse<String> submitted = jobpulse.post("/v1/jobs", "{\"type\":\"image.generate\",\"input\":{},\"tags\":[\"" + tag + "\"]}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        return json(submitted).path("id").asText();
    }

    private static void report(String job, String body) {
        HttpResponse<String> reported = jobpulse.post("/v1/jobs/" + job + "/reports", body);
        assertThat(reported.statusCode()).as(reported.body()).isEqualTo(202);
    }

    private static JsonNode deliveries(String endpoint) {
        HttpResponse<String> listed = jobpulse.get("/v1/endpoints/" + endpoint + "/deliveries");
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        return json(listed).path("deliveries");
    }

    private static String tag() {
        return "n-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void eachMatchingChangeIsDeliveredOnceSignedAndInOrder() {
        String tag = tag();
        String path = "/ordered-" + tag;
        JsonNode endpoint = register(jobpulse, receiver, JobpulseInstance.USER, path, tag, List.of());
        String job = submit(tag);
        submit("other-" + tag);
        report(job, "{\"status\":\"running\",\"progress\":0.5}");
        report(job, "{\"progress\":0.8,\"message\":\"almost\"}");
        report(job, "{\"status\":\"succeeded\",\"result\":{\"url\":\"https://cdn.example/a.png\"}}");

        List<Received> received = receiver.awaitReceived(path, 4, WAIT);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(receiver.received(path)).as("no more than the four changes").hasSize(4));
        assertThat(received).allSatisfy(request -> assertThat(request.verifiedBy()).as("verified by the endpoint's secret").containsExactly(0));
        assertThat(received.stream().map(r -> r.json().path("type").asText()).toList())
                .containsExactly("job.queued", "job.running", "job.updated", "job.succeeded");
        assertThat(received.stream().map(r -> r.json().at("/data/version").asLong()).toList()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(received).allSatisfy(r -> assertThat(r.json().at("/data/jobId").asText()).isEqualTo(job));
        assertThat(received.stream().map(Received::id).distinct()).hasSize(4);
        assertThat(received.getLast().json().at("/data/job/result/url").asText()).isEqualTo("https://cdn.example/a.png");

        await().atMost(WAIT).untilAsserted(() -> assertThat(deliveries(endpoint.path("id").asText()))
                .hasSize(4).allSatisfy(d -> {
                    assertThat(d.path("status").asText()).isEqualTo("delivered");
                    assertThat(d.path("attempts").asInt()).isEqualTo(1);
                    assertThat(d.path("responseStatus").asInt()).isEqualTo(200);
                }));
    }

    @Test
    void failuresAndTimeoutsAreRetriedWithTheSameId() {
        String tag = tag();
        String path = "/flaky-" + tag;
        JsonNode endpoint = register(jobpulse, receiver, JobpulseInstance.USER, path, tag,
                List.of(Answer.status(500).withBody("upstream down"), Answer.delayed(200, Duration.ofSeconds(3))));
        submit(tag);

        List<Received> received = receiver.awaitReceived(path, 3, WAIT);
        assertThat(received.stream().map(Received::id).distinct()).as("one webhook-id across retries").hasSize(1);
        assertThat(received.stream().map(Received::answered).toList()).startsWith(500, 200, 200);
        assertThat(received).allSatisfy(r -> assertThat(r.verifiedBy()).containsExactly(0));
        assertThat(received.get(1).at() - received.get(0).at()).as("the second attempt waits its turn").isGreaterThanOrEqualTo(250);
        assertThat(received.get(2).at() - received.get(1).at()).as("after the 1 s timeout, 600 ms").isGreaterThanOrEqualTo(1_400);

        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode delivery = deliveries(endpoint.path("id").asText()).get(0);
            assertThat(delivery.path("status").asText()).isEqualTo("delivered");
            assertThat(delivery.path("attempts").asInt()).isEqualTo(3);
        });
        String id = endpoint.path("id").asText();
        await().atMost(WAIT).untilAsserted(() -> assertThat(count("jobpulse.notifications.delivered", id)).isEqualTo(1));
        assertThat(count("jobpulse.notifications.attempts.failed", id)).as("a 500 and a timeout").isEqualTo(2);
        assertThat(count("jobpulse.notifications.retries", id)).isEqualTo(2);
        assertThat(count("jobpulse.notifications.failed", id)).isZero();
        Timer latency = metrics().find("jobpulse.notifications.latency").tag("endpoint", id).timer();
        assertThat(latency).isNotNull();
        assertThat(latency.count()).isEqualTo(1);
        assertThat(latency.totalTime(TimeUnit.MILLISECONDS)).as("the change waited out a timeout and two retries")
                .isGreaterThanOrEqualTo(1_400);
    }

    private static MeterRegistry metrics() {
        return jobpulse.context().getBean(MeterRegistry.class);
    }

    /** The endpoint's counter, 0 while it has none. */
    private static double count(String name, String endpointId) {
        Counter counter = metrics().find(name).tag("endpoint", endpointId).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aJobsChangesWaitForTheEarlierOneWhileAnotherEndpointStalls() {
        String tag = tag();
        String stalled = "/stalled-" + tag;
        String fast = "/fast-" + tag;
        // Answers later than the 1 s timeout, twice: version 1 is in flight, then waiting, for about 2.3 s.
        register(jobpulse, receiver, JobpulseInstance.USER, stalled, tag,
                List.of(Answer.delayed(200, Duration.ofSeconds(3)), Answer.delayed(200, Duration.ofSeconds(3))));
        register(jobpulse, receiver, JobpulseInstance.USER, fast, tag, List.of());
        String job = submit(tag);
        report(job, "{\"status\":\"running\"}");
        report(job, "{\"status\":\"succeeded\"}");

        List<Received> quick = receiver.awaitReceived(fast, 3, WAIT);
        assertThat(quick.stream().map(r -> r.json().at("/data/version").asLong()).toList()).containsExactly(1L, 2L, 3L);
        Received firstStalled = receiver.awaitReceived(stalled, 1, WAIT).getFirst();
        assertThat(quick.getLast().at()).as("the fast endpoint had every change before the stalled one's first request timed out")
                .isLessThan(firstStalled.at() + 1_000);

        List<Received> slow = receiver.awaitReceived(stalled, 5, WAIT);
        List<Long> versions = slow.stream().map(r -> r.json().at("/data/version").asLong()).toList();
        assertThat(versions).as("version 1 is retried until delivered before version 2 is sent").containsExactly(1L, 1L, 1L, 2L, 3L);
    }

    @Test
    void anotherOwnersEndpointNeverReceivesYourJobs() {
        String tag = tag();
        JsonNode bobs = register(jobpulse, receiver, "bob", "/bob-" + tag, tag, List.of());
        register(jobpulse, receiver, JobpulseInstance.USER, "/alice-" + tag, tag, List.of());
        String job = submit(tag);
        report(job, "{\"status\":\"succeeded\"}");
        receiver.awaitReceived("/alice-" + tag, 2, WAIT);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received("/bob-" + tag).isEmpty());

        HttpResponse<String> peek = jobpulse.get("/v1/endpoints/" + bobs.path("id").asText());
        assertThat(peek.statusCode()).isEqualTo(404);
        assertThat(peek.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(jobpulse.get("/v1/endpoints/" + bobs.path("id").asText() + "/deliveries").statusCode()).isEqualTo(404);
        assertThat(json(jobpulse.get("/v1/endpoints")).path("endpoints").findValuesAsText("id")).doesNotContain(bobs.path("id").asText());
    }

    @Test
    void aRotatedSecretSignsBesideTheNewOneUntilTheOverlapEnds() throws Exception {
        String tag = tag();
        String path = "/rotated-" + tag;
        JsonNode endpoint = register(jobpulse, receiver, JobpulseInstance.USER, path, tag, List.of());
        String id = endpoint.path("id").asText();
        String old = endpoint.path("secret").asText();
        HttpResponse<String> rotated = jobpulse.post("/v1/endpoints/" + id + "/rotate-secret", "");
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        String fresh = json(rotated).path("secret").asText();
        assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);
        assertThat(json(rotated).has("previousSecretExpiresAt")).isTrue();
        assertThat(json(jobpulse.get("/v1/endpoints/" + id)).has("secret")).as("a secret is shown only when made").isFalse();
        receiver.configure(path, List.of(old, fresh), List.of(), null);

        submit(tag);
        assertThat(receiver.awaitReceived(path, 1, WAIT).getFirst().verifiedBy()).as("during the overlap").containsExactly(0, 1);
        Thread.sleep(3_500);
        submit(tag);
        assertThat(receiver.awaitReceived(path, 2, WAIT).get(1).verifiedBy()).as("after the overlap").containsExactly(1);
    }

    @Test
    void aTestSendsAPingAndAGoneEndpointIsDisabledUntilResumed() {
        String tag = tag();
        String path = "/gone-" + tag;
        JsonNode endpoint = register(jobpulse, receiver, JobpulseInstance.USER, path, tag, List.of(Answer.status(410)));
        String id = endpoint.path("id").asText();

        HttpResponse<String> ping = jobpulse.post("/v1/endpoints/" + id + "/test", "");
        assertThat(ping.statusCode()).as(ping.body()).isEqualTo(202);
        Received first = receiver.awaitReceived(path, 1, WAIT).getFirst();
        assertThat(first.json().path("type").asText()).isEqualTo("ping");
        assertThat(first.verifiedBy()).containsExactly(0);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode disabled = json(jobpulse.get("/v1/endpoints/" + id));
            assertThat(disabled.path("status").asText()).isEqualTo("disabled");
            assertThat(disabled.path("disabledReason").asText()).contains("410");
        });

        String job = submit(tag);
        await().atMost(WAIT).untilAsserted(() -> assertThat(deliveries(id).findValuesAsText("jobId")).contains(job));
        await().atMost(WAIT).untilAsserted(() -> assertThat(deliveries(id).get(0).path("status").asText()).isEqualTo("failed"));
        assertThat(receiver.received(path)).hasSize(1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(count("jobpulse.notifications.failed", id)).as("the ping and the change").isEqualTo(2));
        assertThat(count("jobpulse.notifications.delivered", id)).isZero();

        HttpResponse<String> resumed = jobpulse.post("/v1/endpoints/" + id + "/resume", "");
        assertThat(json(resumed).path("status").asText()).isEqualTo("active");
        String failed = deliveries(id).get(0).path("id").asText();
        HttpResponse<String> retried = jobpulse.post("/v1/endpoints/" + id + "/deliveries/" + failed + "/retry", "");
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
        Received again = receiver.awaitReceived(path, 2, WAIT).get(1);
        assertThat(again.id()).isEqualTo(failed);
        assertThat(again.json().at("/data/jobId").asText()).isEqualTo(job);
        assertThat(again.answered()).isEqualTo(200);
    }

    @Test
    void aPausedEndpointsDeliveriesWaitForItsResume() {
        String tag = tag();
        String path = "/paused-" + tag;
        String id = register(jobpulse, receiver, JobpulseInstance.USER, path, tag, List.of()).path("id").asText();
        HttpResponse<String> paused = jobpulse.post("/v1/endpoints/" + id + "/pause", "");
        assertThat(json(paused).path("status").asText()).isEqualTo("paused");
        String job = submit(tag);
        await().atMost(WAIT).untilAsserted(() -> assertThat(deliveries(id).findValuesAsText("jobId")).contains(job));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received(path).isEmpty());
        assertThat(deliveries(id).get(0).path("status").asText()).isEqualTo("pending");

        jobpulse.post("/v1/endpoints/" + id + "/resume", "");
        assertThat(receiver.awaitReceived(path, 1, WAIT).getFirst().json().at("/data/jobId").asText()).isEqualTo(job);
    }

    @Test
    void anEndpointFailingLongerThanAllowedIsDisabledAndSaysWhy() {
        String tag = tag();
        String path = "/failing-" + tag;
        String id = register(jobpulse, receiver, JobpulseInstance.USER, path, tag, List.of()).path("id").asText();
        receiver.configure(path, List.of(), List.of(), Answer.status(500));
        String job = submit(tag);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(700)).untilAsserted(() -> {
            report(job, "{\"progress\":" + Math.random() + "}");
            JsonNode endpoint = json(jobpulse.get("/v1/endpoints/" + id));
            assertThat(endpoint.path("status").asText()).as("after %s, deliveries %s", receiver.received(path).stream()
                    .map(r -> r.answered() + "@" + r.at() + " v" + r.json().at("/data/version")).toList(), deliveries(id)).isEqualTo("disabled");
            assertThat(endpoint.path("disabledReason").asText()).contains("every attempt has failed since");
        });
        assertThat(receiver.received(path).size()).as("attempts for more than 4 s").isGreaterThanOrEqualTo(4);
    }

    @Test
    void anEndpointIsChangedAndDeleted() {
        String tag = tag();
        String other = tag();
        String path = "/changed-" + tag;
        JsonNode endpoint = register(jobpulse, receiver, JobpulseInstance.USER, path, tag, List.of());
        String id = endpoint.path("id").asText();
        HttpResponse<String> patched = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/endpoints/" + id))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"filter\":{\"tags\":[\"" + other + "\"]}}")));
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(json(patched).path("version").asLong()).isEqualTo(2);
        assertThat(json(patched).at("/filter/tags/0").asText()).isEqualTo(other);
        assertThat(json(patched).path("url").asText()).isEqualTo(endpoint.path("url").asText());

        submit(tag);
        String matching = submit(other);
        assertThat(receiver.awaitReceived(path, 1, WAIT).getFirst().json().at("/data/jobId").asText()).isEqualTo(matching);

        HttpResponse<String> deleted = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/endpoints/" + id)).DELETE());
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(jobpulse.get("/v1/endpoints/" + id).statusCode()).isEqualTo(404);
        submit(other);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received(path).size() == 1);
    }

    @Test
    void anAdministratorsEndpointHearsOfEveryOwnersJobs() {
        String tag = tag();
        String path = "/every-owner-" + tag;
        HttpResponse<String> created = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/endpoints"))
                .header("Authorization", "Bearer " + JobpulseInstance.adminToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + receiver.url(path) + "\",\"filter\":{\"tags\":[\"" + tag + "\"]}}")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).has("owner")).as("no owner: every owner's jobs").isFalse();
        receiver.configure(path, List.of(json(created).path("secret").asText()), List.of(), null);
        assertThat(jobpulse.get("/v1/endpoints/" + json(created).path("id").asText()).statusCode()).as("alice does not see it").isEqualTo(404);

        String alices = submit(tag);
        HttpResponse<String> bobs = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs"))
                .header("Authorization", "Bearer " + JobpulseInstance.token("bob")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"image.generate\",\"input\":{},\"tags\":[\"" + tag + "\"]}")));
        assertThat(bobs.statusCode()).isEqualTo(202);
        List<Received> received = receiver.awaitReceived(path, 2, WAIT);
        assertThat(received.stream().map(r -> r.json().at("/data/jobId").asText()).toList())
                .containsExactlyInAnyOrder(alices, json(bobs).path("id").asText());
        assertThat(received).allSatisfy(r -> assertThat(r.verifiedBy()).containsExactly(0));
    }

    @Test
    void aRedirectIsAFailedAttemptNotFollowed() {
        String tag = tag();
        String path = "/redirecting-" + tag;
        String id = register(jobpulse, receiver, JobpulseInstance.USER, path, tag, List.of(Answer.status(302))).path("id").asText();
        submit(tag);
        List<Received> received = receiver.awaitReceived(path, 2, WAIT);
        assertThat(received.stream().map(Received::answered).toList()).containsExactly(302, 200);
        assertThat(received.stream().map(Received::path).distinct()).containsExactly(path);
        await().atMost(WAIT).untilAsserted(() -> assertThat(deliveries(id).get(0).path("attempts").asInt()).isEqualTo(2));
    }

    @Test
    void anEndpointsChangesAreAuditedFromTheLogWithoutItsSecrets() {
        String tag = tag();
        JsonNode endpoint = register(jobpulse, receiver, JobpulseInstance.USER, "/audited-" + tag, tag, List.of());
        String id = endpoint.path("id").asText();
        String rotated = json(jobpulse.post("/v1/endpoints/" + id + "/rotate-secret", "")).path("secret").asText();
        jobpulse.post("/v1/endpoints/" + id + "/pause", "");

        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        AuditCommand.run(new String[] {"endpoint", id}, JobpulseInstance.stackDeployment(),
                new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        String audit = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(audit).contains("endpoint " + id + ": 3 changes", "endpoint.created", "endpoint.secret-rotated", "endpoint.paused",
                "user:alice", "v3 paused", receiver.url("/audited-" + tag));
        assertThat(audit).doesNotContain(endpoint.path("secret").asText().substring(6), rotated.substring(6));
    }

    @Test
    void theEndpointsTableIsReplayedFromTheLog() throws Exception {
        String tag = tag();
        JsonNode endpoint = register(jobpulse, receiver, JobpulseInstance.USER, "/replayed-" + tag, tag, List.of());
        String id = endpoint.path("id").asText();
        jobpulse.post("/v1/endpoints/" + id + "/pause", "");
        TestStack stack = TestStack.get();
        try (var connection = java.sql.DriverManager.getConnection(stack.jdbcUrl, stack.username, stack.password);
             var delete = connection.prepareStatement("DELETE FROM endpoints WHERE id = ?")) {
            delete.setString(1, id);
            assertThat(delete.executeUpdate()).isEqualTo(1);
        }
        assertThat(jobpulse.get("/v1/endpoints/" + id).statusCode()).isEqualTo(404);

        // A projector in a group of its own reads jobpulse.endpoints from its start, as a reset group does.
        // Its deliveries (an application of their own) start at the end of the jobs' changes, so as to send nothing again.
        try (JobpulseInstance replaying = JobpulseInstance.start(Map.of("jobpulse.roles", "notifications",
                "jobpulse.notifications.projector-group-id", "replay-projector-" + tag, "jobpulse.notifications.application-id", "replay-deliveries-" + tag,
                "jobpulse.notifications.streams.consumer.auto.offset.reset", "latest"))) {
            await().atMost(WAIT).untilAsserted(() -> {
                HttpResponse<String> back = jobpulse.get("/v1/endpoints/" + id);
                assertThat(back.statusCode()).isEqualTo(200);
                assertThat(json(back).path("status").asText()).isEqualTo("paused");
                assertThat(json(back).path("version").asLong()).isEqualTo(2);
                assertThat(json(back).path("url").asText()).isEqualTo(endpoint.path("url").asText());
            });
        }
    }
}
