package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.security.ApiKeys;
import io.jobpulse.app.security.JwtSecret;
import io.jobpulse.app.security.KeysCommand;
import io.jobpulse.events.JobJson;
import io.jobpulse.http.Caller;
import io.jobpulse.http.PeerCredential;
import io.micronaut.security.filters.AuthenticationFetcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Who may do what, against the real broker and PostgreSQL: nothing but health and webhooks
 * without a credential (and the dashboard's static files, {@link DashboardTest}); another user's job is 404 on every endpoint and stream, never 403, and
 * none of its changes reach another user; API keys act within their scopes and owner; stream
 * tokens open streams of their jobs only, one at a time.
 */
class SecurityTest {

    private static JobpulseInstance jobpulse;
    private static String alicesJob;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.allRoles();
        alicesJob = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.private\",\"tags\":[\"private\"]}")).get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/jobs/" + alicesJob + "/history").statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    private static HttpRequest.Builder request(String method, String path, String body) {
        return HttpRequest.newBuilder(jobpulse.uri(path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpResponse<String> as(String token, String method, String path, String body) {
        HttpRequest.Builder request = request(method, path, body);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return jobpulse.sendAsIs(request.timeout(Duration.ofSeconds(30)).build());
    }

    /** Every endpoint that names a job, as method, path and body. */
    private static Map<String, String[]> jobEndpoints(String id) {
        Map<String, String[]> endpoints = new LinkedHashMap<>();
        endpoints.put("state", new String[] {"GET", "/v1/jobs/" + id, null});
        endpoints.put("long-poll", new String[] {"GET", "/v1/jobs/" + id + "?waitForVersionAfter=0&timeout=1s", null});
        endpoints.put("history", new String[] {"GET", "/v1/jobs/" + id + "/history", null});
        endpoints.put("raw history", new String[] {"GET", "/v1/jobs/" + id + "/history?raw=true", null});
        endpoints.put("stream", new String[] {"GET", "/v1/jobs/" + id + "/stream", null});
        endpoints.put("report", new String[] {"POST", "/v1/jobs/" + id + "/reports", "{\"progress\":0.5}"});
        endpoints.put("cancel", new String[] {"POST", "/v1/jobs/" + id + "/cancel", "{}"});
        endpoints.put("retry", new String[] {"POST", "/v1/jobs/" + id + "/retry", "{}"});
        endpoints.put("poll", new String[] {"POST", "/v1/jobs/" + id + "/poll", "{\"statusUrl\":\"https://x.example/s\",\"provider\":\"bria\"}"});
        endpoints.put("stream token", new String[] {"POST", "/v1/stream-tokens", "{\"jobs\":[\"" + id + "\"]}"});
        return endpoints;
    }

    @Test
    void anotherUsersJobIsNotFoundOnEveryEndpointAndNothingIsWritten() {
        String bob = JobpulseInstance.token("bob");
        long version = json(jobpulse.get("/v1/jobs/" + alicesJob)).get("version").asLong();
        for (var endpoint : jobEndpoints(alicesJob).entrySet()) {
            String[] call = endpoint.getValue();
            HttpResponse<String> answer = as(bob, call[0], call[1], call[2]);
            assertThat(answer.statusCode()).as(endpoint.getKey() + ": " + answer.body()).isEqualTo(404);
            assertThat(answer.headers().firstValue("Content-Type")).as(endpoint.getKey()).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(answer.body()).as(endpoint.getKey()).doesNotContain("x.private");
        }
        assertThat(json(as(bob, "GET", "/v1/jobs?type=x.private&count=true", null)).get("total").asInt()).isZero();
        assertThat(json(as(bob, "GET", "/v1/jobs/summary", null)).path("byType").has("x.private")).isFalse();
        assertThat(json(jobpulse.get("/v1/jobs/" + alicesJob)).get("version").asLong()).as("bob changed nothing").isEqualTo(version);
    }

    @Test
    void anotherUsersChangesNeverReachAStreamOrSocket() throws Exception {
        String bob = JobpulseInstance.token("bob");
        HttpRequest bobsStream = HttpRequest.newBuilder(jobpulse.uri("/v1/stream?tag=private")).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + bob).build();
        try (SocketClient socket = new SocketClient(jobpulse, "/v1/ws", "Bearer " + bob);
             SseClient stream = SseClient.open(HttpClient.newHttpClient(), bobsStream);
             SseClient alices = jobpulse.stream("/v1/stream?tag=private", null)) {
            socket.send("{\"type\":\"subscribe\",\"id\":\"one\",\"job\":\"" + alicesJob + "\"}");
            socket.send("{\"type\":\"subscribe\",\"id\":\"all\",\"filter\":{\"tag\":\"private\"}}");
            await().atMost(Duration.ofSeconds(10)).until(() -> socket.messages.size() >= 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> isOpen(stream) && isOpen(alices));
            assertThat(jobpulse.post("/v1/jobs/" + alicesJob + "/reports", "{\"progress\":0.7}").statusCode()).isEqualTo(202);
            String anotherOfAlices = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.private\",\"tags\":[\"private\"]}")).get("id").asText();
            // Once alice's own stream has both changes, push has handed them to every subscriber, bob's too.
            await().atMost(Duration.ofSeconds(20)).until(() -> jobsIn(alices).containsAll(List.of(alicesJob, anotherOfAlices)));
            // The sentinel: a change of bob's own, which push hands out after alice's and each connection
            // delivers in order, so anything of alice's that reached bob is there once it is.
            String bobsJob = json(as(bob, "POST", "/v1/jobs", "{\"type\":\"x.sentinel\",\"tags\":[\"private\"]}")).get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> jobsIn(stream).contains(bobsJob)
                    && socket.updatesOf("all").stream().anyMatch(update -> update.at("/update/jobId").asText().equals(bobsJob)));

            assertThat(jobsIn(stream)).as("bob's stream got none of alice's changes").containsOnly(bobsJob);
            assertThat(socket.ofType("error")).anySatisfy(error -> assertThat(error.at("/problem/status").asInt()).isEqualTo(404));
            assertThat(socket.ofType("update")).as("bob's socket got none of alice's changes")
                    .extracting(update -> update.at("/update/jobId").asText()).containsOnly(bobsJob);
        }
    }

    /** Whether push has registered the stream (it then says where the stream starts). */
    private static boolean isOpen(SseClient stream) {
        return stream.events(SseClient.COMMENT).stream().anyMatch(comment -> comment.data().equals("stream position"));
    }

    /** The jobs of the updates a stream received. */
    private static List<String> jobsIn(SseClient stream) {
        return stream.updates().stream().map(update -> {
            try {
                return JobJson.mapper().readTree(update.data()).get("jobId").asText();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    @Test
    void onlyHealthAndWebhooksAnswerWithoutACredential() {
        assertThat(as(null, "GET", "/health", null).statusCode()).isEqualTo(200);
        assertThat(as(null, "POST", "/v1/webhooks/nobody", "{}").statusCode()).as("webhooks are checked by signature").isEqualTo(404);
        List<String[]> closed = new ArrayList<>(jobEndpoints(alicesJob).values());
        closed.add(new String[] {"POST", "/v1/jobs", "{\"type\":\"x.y\"}"});
        closed.add(new String[] {"GET", "/v1/jobs", null});
        closed.add(new String[] {"GET", "/v1/jobs/summary", null});
        closed.add(new String[] {"GET", "/v1/stream", null});
        closed.add(new String[] {"GET", "/v1/ws", null});
        closed.add(new String[] {"GET", "/prometheus", null});
        for (String[] call : closed) {
            for (String token : new String[] {null, "not-a-token", "jp_0123456789abcdef_" + "A".repeat(43),
                    tampered(JobpulseInstance.token("alice")), unsigned(JobpulseInstance.token("alice"))}) {
                HttpResponse<String> answer = as(token, call[0], call[1], call[2]);
                assertThat(answer.statusCode()).as(call[0] + " " + call[1] + " with " + token).isEqualTo(401);
                assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            }
        }
        assertThat(as(JobpulseInstance.token("alice"), "GET", "/prometheus", null).statusCode()).as("metrics want admin").isEqualTo(403);
        assertThat(as(JobpulseInstance.adminToken(), "GET", "/prometheus", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aVerifiedTokenIsRememberedOnlyUntilItExpiresAndAnAlteredCopyIsCheckedInFull() {
        String brief = JwtSecret.mint(JobpulseInstance.JWT_SECRET, JobpulseInstance.JWT_ISSUER, JobpulseInstance.JWT_AUDIENCE,
                "alice", null, Duration.ofSeconds(2));
        Instant expiry = Instant.now().plusSeconds(2);
        assertThat(jobpulse.context().getBeansOfType(AuthenticationFetcher.class)).extracting(fetcher -> fetcher.getClass().getSimpleName())
                .as("the remembering fetcher stands in for Micronaut's").contains("RememberedTokens").doesNotContain("TokenAuthenticationFetcher");
        assertThat(as(brief, "GET", "/v1/jobs/" + alicesJob, null).statusCode()).isEqualTo(200);
        assertThat(as(brief, "GET", "/v1/jobs/" + alicesJob, null).statusCode()).as("again, remembered").isEqualTo(200);
        assertThat(as(tampered(brief), "GET", "/v1/jobs/" + alicesJob, null).statusCode()).isEqualTo(401);
        assertThat(as(unsigned(brief), "GET", "/v1/jobs/" + alicesJob, null).statusCode()).isEqualTo(401);

        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(200))
                .until(() -> as(brief, "GET", "/v1/jobs/" + alicesJob, null).statusCode() == 401);
        assertThat(Instant.now()).as("refused once it expired, not when the memory of it ended").isAfterOrEqualTo(expiry.minusSeconds(1));
    }

    /** The token with the first character of its signature changed (the last one may carry only padding bits). */
    private static String tampered(String jwt) {
        int signature = jwt.lastIndexOf('.') + 1;
        char first = jwt.charAt(signature);
        return jwt.substring(0, signature) + (first == 'A' ? 'B' : 'A') + jwt.substring(signature + 1);
    }

    /** The token's claims under {@code "alg": "none"}, without a signature. */
    private static String unsigned(String jwt) {
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        return header + jwt.substring(jwt.indexOf('.'), jwt.lastIndexOf('.') + 1);
    }

    @Test
    void apiKeysActWithinTheirScopesAndOwner() {
        ApiKeys keys = jobpulse.context().getBean(ApiKeys.class);
        String worker = keys.create("worker", EnumSet.of(Caller.Scope.REPORT, Caller.Scope.READ), null).key();
        String alicesApp = keys.create("alice's app", EnumSet.of(Caller.Scope.SUBMIT, Caller.Scope.READ), "alice").key();
        String bobsApp = keys.create("bob's app", EnumSet.of(Caller.Scope.SUBMIT, Caller.Scope.READ), "bob").key();

        HttpResponse<String> submitted = as(alicesApp, "POST", "/v1/jobs", "{\"type\":\"x.keyed\"}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String job = json(submitted).get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> as(alicesApp, "GET", "/v1/jobs/" + job, null).statusCode() == 200);
        assertThat(json(as(alicesApp, "GET", "/v1/jobs/" + job, null)).get("owner").asText()).isEqualTo("alice");

        assertThat(as(bobsApp, "GET", "/v1/jobs/" + job, null).statusCode()).isEqualTo(404);
        assertThat(as(alicesApp, "POST", "/v1/jobs/" + job + "/reports", "{\"progress\":0.1}").statusCode())
                .as("reports need jobs:report").isEqualTo(403);
        assertThat(as(worker, "POST", "/v1/jobs/" + job + "/reports", "{\"progress\":0.3}").statusCode())
                .as("a worker's key bound to no owner reports on any job").isEqualTo(202);
        assertThat(as(worker, "POST", "/v1/jobs", "{\"type\":\"x.keyed\"}").statusCode()).as("no jobs:submit").isEqualTo(403);
        assertThat(as(alicesApp, "POST", "/v1/jobs", "{\"type\":\"x.keyed\",\"owner\":\"bob\"}").statusCode())
                .as("a bound key acts for its owner only").isEqualTo(403);
        await().atMost(Duration.ofSeconds(20)).until(() -> json(as(alicesApp, "GET", "/v1/jobs/" + job, null)).get("progress").asDouble() == 0.3);
        // The history is a projection: it has the change once the topology's transaction has committed and the projector wrote it.
        await().atMost(Duration.ofSeconds(20)).until(() -> json(as(alicesApp, "GET", "/v1/jobs/" + job + "/history", null))
                .at("/changes/1/causeEventType").asText().equals("job.report-received"));

        String keyId = worker.split("_")[1];
        assertThat(keys.revoke(keyId)).isTrue();
        assertThat(as(worker, "POST", "/v1/jobs/" + job + "/reports", "{\"progress\":0.4}").statusCode()).isEqualTo(401);
    }

    @Test
    void keysCommandCreatesListsAndRevokesAndShowsTheKeyOnce() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KeysCommand.run(new String[] {"create", "--name", "ci-worker", "--scopes", "jobpulse:jobs:report"}, JobpulseInstance.stackDeployment(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String created = out.toString(StandardCharsets.UTF_8);
        String key = created.lines().filter(line -> line.startsWith("key:")).findFirst().orElseThrow().substring(4).strip();
        String id = created.lines().filter(line -> line.startsWith("key id:")).findFirst().orElseThrow().substring(7).strip();
        assertThat(as(key, "POST", "/v1/jobs/" + alicesJob + "/reports", "{\"progress\":0.2}").statusCode()).isEqualTo(202);

        out.reset();
        KeysCommand.run(new String[] {"list"}, JobpulseInstance.stackDeployment(), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(id).contains("ci-worker").doesNotContain(key.substring(20));

        out.reset();
        KeysCommand.run(new String[] {"revoke", id}, JobpulseInstance.stackDeployment(), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("revoked " + id);
    }

    @Test
    void aStreamTokenOpensStreamsOfItsJobsOneAtATimeAndNothingElse() throws Exception {
        String otherJob = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.private\"}")).get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/jobs/" + otherJob).statusCode() == 200);
        HttpResponse<String> issued = jobpulse.post("/v1/stream-tokens", "{\"jobs\":[\"" + alicesJob + "\"]}");
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        String token = json(issued).get("token").asText();
        assertThat(token).startsWith("jst_");

        assertThat(as(null, "GET", "/v1/jobs/" + alicesJob + "?token=" + token, null).statusCode()).as("no reads").isEqualTo(401);
        assertThat(as(null, "POST", "/v1/jobs/" + alicesJob + "/cancel?token=" + token, "{}").statusCode()).as("no writes").isEqualTo(401);
        assertThat(as(token, "GET", "/v1/jobs/" + alicesJob, null).statusCode()).as("not as a bearer either").isEqualTo(401);

        HttpRequest connect = HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + alicesJob + "/stream?token=" + token))
                .header("Accept", "text/event-stream").build();
        try (SseClient stream = SseClient.open(HttpClient.newHttpClient(), connect)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.updates().isEmpty());
            JsonNode first = JobJson.mapper().readTree(stream.updates().getFirst().data());
            assertThat(first.get("jobId").asText()).isEqualTo(alicesJob);

            try (SseClient again = SseClient.open(HttpClient.newHttpClient(), connect)) {
                assertThat(again.status()).as("a second connect with the same token, as a reconnect would").isEqualTo(200);
                stream.awaitEnd(Duration.ofSeconds(5));
                await().atMost(Duration.ofSeconds(10)).until(() -> !again.updates().isEmpty());
                assertThat(again.hasEnded()).as("the newer stream holds the token").isFalse();
            }
        }
        String forOneJob = json(jobpulse.post("/v1/stream-tokens", "{\"jobs\":[\"" + alicesJob + "\"]}")).get("token").asText();
        assertThat(as(null, "GET", "/v1/jobs/" + otherJob + "/stream?token=" + forOneJob, null).statusCode())
                .as("a job the token does not name").isEqualTo(404);
        HttpRequest stillUnused = HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + alicesJob + "/stream?token=" + forOneJob))
                .header("Accept", "text/event-stream").build();
        try (SseClient stream = SseClient.open(HttpClient.newHttpClient(), stillUnused)) {
            assertThat(stream.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.updates().isEmpty());
            assertThat(as(null, "GET", "/v1/jobs/" + otherJob + "/stream?token=" + forOneJob, null).statusCode()).isEqualTo(404);
            Thread.sleep(1500);
            assertThat(stream.hasEnded()).as("a connect for a job the token does not name takes nothing from the stream").isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.updates().isEmpty());
        }
    }

    @Test
    void aStreamTokenTakenOnAnotherInstanceEndsTheStreamThatHeldIt() {
        try (JobpulseInstance push = JobpulseInstance.start(Map.of("jobpulse.roles", "push",
                "jobpulse.state-url", jobpulse.uri("/").toString(), "jobpulse.state-token", JobpulseInstance.adminToken()))) {
            String token = json(jobpulse.post("/v1/stream-tokens", "{\"jobs\":[\"" + alicesJob + "\"]}")).get("token").asText();
            HttpRequest onSecond = HttpRequest.newBuilder(push.uri("/v1/jobs/" + alicesJob + "/stream?token=" + token))
                    .header("Accept", "text/event-stream").build();
            HttpRequest onFirst = HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + alicesJob + "/stream?token=" + token))
                    .header("Accept", "text/event-stream").build();
            try (SseClient first = SseClient.open(HttpClient.newHttpClient(), onSecond)) {
                assertThat(first.status()).as("a token made on one instance opens a stream on another").isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> !first.updates().isEmpty());
                try (SseClient second = SseClient.open(HttpClient.newHttpClient(), onFirst)) {
                    assertThat(second.status()).isEqualTo(200);
                    first.awaitEnd(Duration.ofSeconds(5));
                    assertThat(second.hasEnded()).as("one stream at a time, across instances: the newest").isFalse();
                }
            }
        }
    }

    @Test
    void aFreshTokenResumesAfterTheLastEventIdGivenAsAParameter() throws Exception {
        long seen = json(jobpulse.get("/v1/jobs/" + alicesJob)).get("version").asLong();
        String fresh = json(jobpulse.post("/v1/stream-tokens", "{\"jobs\":[\"" + alicesJob + "\"]}")).get("token").asText();
        HttpRequest reconnect = HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + alicesJob + "/stream?token=" + fresh + "&lastEventId=" + seen))
                .header("Accept", "text/event-stream").build();
        try (SseClient stream = SseClient.open(HttpClient.newHttpClient(), reconnect)) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(jobpulse.post("/v1/jobs/" + alicesJob + "/reports", "{\"message\":\"resumed " + seen + "\"}").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.updates().isEmpty());
            assertThat(JobJson.mapper().readTree(stream.updates().getFirst().data()).get("version").asLong())
                    .as("no snapshot of what the client had; the next change first").isGreaterThan(seen);
        }
    }

    /**
     * The credential instances read each other's jobs with opens one job's state for a minute and
     * nothing else: not another job, not a list, not a write, not once expired, not made with
     * another key, and it cannot be stretched by writing a later expiry.
     */
    @Test
    void aPeerCredentialReadsOneJobForAMinuteAndNothingElse() {
        PeerCredential ours = new PeerCredential(JobpulseInstance.SIGNING_KEY);
        String bobsJob = json(jobpulse.send(request("POST", "/v1/jobs", "{\"type\":\"x.peer\"}")
                .header("Authorization", "Bearer " + JobpulseInstance.token("bob")))).get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> as(JobpulseInstance.token("bob"), "GET", "/v1/jobs/" + bobsJob, null).statusCode() == 200);
        String forBobsJob = ours.mint(bobsJob, Instant.now());
        assertThat(as(forBobsJob, "GET", "/v1/jobs/" + bobsJob, null).statusCode()).as("the job it was made for, whoever owns it").isEqualTo(200);

        String expired = ours.mint(bobsJob, Instant.now().minus(Duration.ofMinutes(2)));
        String stretched = forBobsJob.replaceFirst("_(\\d+)_", "_" + (Instant.now().plus(Duration.ofDays(1)).getEpochSecond()) + "_");
        String otherKey = new PeerCredential("another deployment's signing key, 32+ bytes").mint(bobsJob, Instant.now());
        Map<String, String[]> refused = new LinkedHashMap<>();
        refused.put("another job", new String[] {forBobsJob, "GET", "/v1/jobs/" + alicesJob});
        refused.put("the list", new String[] {forBobsJob, "GET", "/v1/jobs"});
        refused.put("the history", new String[] {forBobsJob, "GET", "/v1/jobs/" + bobsJob + "/history"});
        refused.put("a cancel", new String[] {forBobsJob, "POST", "/v1/jobs/" + bobsJob + "/cancel"});
        refused.put("expired", new String[] {expired, "GET", "/v1/jobs/" + bobsJob});
        refused.put("a later expiry written in", new String[] {stretched, "GET", "/v1/jobs/" + bobsJob});
        refused.put("another key", new String[] {otherKey, "GET", "/v1/jobs/" + bobsJob});
        refused.forEach((what, call) -> {
            HttpResponse<String> answer = as(call[0], call[1], call[2], call[1].equals("POST") ? "{}" : null);
            assertThat(answer.statusCode()).as(what + ": " + answer.body()).isEqualTo(401);
            assertThat(answer.headers().firstValue("Content-Type")).as(what)
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        });
    }
}
