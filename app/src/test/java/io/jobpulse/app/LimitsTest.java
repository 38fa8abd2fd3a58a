package io.jobpulse.app;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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
 * Abuse limits and stream-token expiry, each against an instance configured tight enough to
 * reach them: request rates, body sizes, open streams, subscriptions per socket, CORS origins,
 * and a stream token's stream that is told it expires, ends, or is renewed in place.
 */
class LimitsTest {

    /**
     * The instance of the tests whose limits no other request here meets: bodies and fields (JWT requests without an
     * {@code Origin}), one allowed origin, and stream tokens of 8 s. Started once; each test reaching a limit of its
     * caller or address has an instance of its own.
     */
    private static JobpulseInstance shared;

    @BeforeAll
    static void startShared() {
        shared = instance(Map.of("micronaut.server.cors.configurations.web.allowed-origins", List.of("https://app.example"),
                "jobpulse.security.stream-token-ttl", "8s", "jobpulse.push.token-expiring-notice", "5s"));
    }

    @AfterAll
    static void closeShared() {
        if (shared != null) {
            shared.close();
        }
    }

    private static JobpulseInstance instance(Map<String, Object> limits) {
        return JobpulseInstance.start(new HashMap<>(limits));
    }

    private static void assertProblem(HttpResponse<String> answer, int status) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void aCredentialOverItsRateGets429WithRetryAfterAndAnotherCredentialDoesNot() {
        try (JobpulseInstance jobpulse = instance(Map.of("jobpulse.limits.per-caller-per-second", "0.1", "jobpulse.limits.per-caller-burst", "3"))) {
            List<Integer> statuses = new ArrayList<>();
            HttpResponse<String> limited = null;
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> answer = jobpulse.get("/v1/jobs?limit=1");
                statuses.add(answer.statusCode());
                limited = answer;
            }
            assertThat(statuses).containsExactly(200, 200, 200, 429);
            assertProblem(limited, 429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
                    assertThat(Integer.parseInt(seconds)).as("a token comes every 10 s").isBetween(1, 10));
            HttpResponse<String> bob = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs?limit=1"))
                    .header("Authorization", "Bearer " + JobpulseInstance.token("bob")));
            assertThat(bob.statusCode()).as("another user has a bucket of its own").isEqualTo(200);
        }
    }

    @Test
    void aClientAddressOverItsRateGets429EvenWithoutACredential() {
        try (JobpulseInstance jobpulse = instance(Map.of("jobpulse.limits.per-ip-per-second", "0.1", "jobpulse.limits.per-ip-burst", "2"))) {
            HttpRequest health = HttpRequest.newBuilder(jobpulse.uri("/health/liveness")).build();
            assertThat(jobpulse.sendAsIs(health).statusCode()).isEqualTo(200);
            assertThat(jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs")).build()).statusCode()).isEqualTo(401);
            HttpResponse<String> limited = jobpulse.sendAsIs(health);
            assertProblem(limited, 429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        }
    }

    @Test
    void bodiesLargerThanTheirEndpointAllowsGet413AndNothingIsWritten() {
        JobpulseInstance jobpulse = shared;
        String big = "{\"type\":\"x.big\",\"input\":{\"blob\":\"" + "a".repeat(300 * 1024) + "\"}}";
        HttpResponse<String> submit = jobpulse.post("/v1/jobs", big);
        assertProblem(submit, 413);
        assertThat(json(submit).get("limit").asInt()).isEqualTo(256 * 1024);
        String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.big\"}")).get("id").asText();
        assertProblem(jobpulse.post("/v1/jobs/" + job + "/cancel", "{\"reason\":\"" + "r".repeat(20 * 1024) + "\"}"), 413);
        HttpResponse<String> webhook = jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/v1/webhooks/nobody"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(900 * 1024))).build());
        assertThat(webhook.statusCode()).as("a webhook may be up to 1 MB").isEqualTo(404);
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/jobs/" + job).statusCode() == 200);
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs?type=x.big&count=true")).get("total").asInt() == 1);
        assertThat(json(jobpulse.get("/v1/jobs/" + job)).get("status").asText()).as("the oversized cancel wrote nothing").isEqualTo("queued");
    }

    @Test
    void fieldsThatWouldGrowAJobPastTheirBoundsAreRefusedNamingFieldAndLimitAndNothingIsWritten() {
        JobpulseInstance jobpulse = shared;
        String bigMetadata = "{\"type\":\"x.fields\",\"metadata\":{\"blob\":\"" + "m".repeat(70 * 1024) + "\"}}";
        HttpResponse<String> submit = jobpulse.post("/v1/jobs", bigMetadata);
        assertProblem(submit, 413);
        assertThat(json(submit).get("field").asText()).isEqualTo("metadata");
        assertThat(json(submit).get("limit").asInt()).isEqualTo(64 * 1024);

        String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.fields\"}")).get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/jobs/" + job).statusCode() == 200);
        StringBuilder keys = new StringBuilder("{\"metadata\":{");
        for (int i = 0; i < 101; i++) {
            keys.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
        }
        HttpResponse<String> manyKeys = jobpulse.post("/v1/jobs/" + job + "/reports", keys.append("}}").toString());
        assertProblem(manyKeys, 400);
        assertThat(json(manyKeys).get("field").asText()).isEqualTo("metadata");
        assertThat(json(manyKeys).get("limit").asInt()).isEqualTo(100);
        HttpResponse<String> bigResult = jobpulse.post("/v1/jobs/" + job + "/reports",
                "{\"status\":\"succeeded\",\"result\":\"" + "r".repeat(130 * 1024) + "\"}");
        assertProblem(bigResult, 413);
        assertThat(json(bigResult).get("field").asText()).isEqualTo("result");

        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs?type=x.fields&count=true")).get("total").asInt() == 1);
        assertThat(json(jobpulse.get("/v1/jobs/" + job)).get("version").asInt()).as("the refused reports wrote nothing").isEqualTo(1);
    }

    @Test
    void aCredentialHoldsAtMostItsStreamsAndASocketItsSubscriptions() throws Exception {
        try (JobpulseInstance jobpulse = instance(Map.of("jobpulse.push.max-connections-per-caller", "2",
                "jobpulse.push.max-subscriptions-per-socket", "2"))) {
            try (SseClient first = jobpulse.stream("/v1/stream", null); SseClient second = jobpulse.stream("/v1/stream", null)) {
                assertThat(first.status()).isEqualTo(200);
                assertThat(second.status()).isEqualTo(200);
                HttpResponse<String> third = jobpulse.get("/v1/stream");
                assertProblem(third, 429);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (SseClient again = jobpulse.stream("/v1/stream", null)) {
                    return again.status() == 200;
                }
            });

            try (SocketClient carol = new SocketClient(jobpulse, "/v1/ws", "Bearer " + JobpulseInstance.token("carol"))) {
                for (int i = 1; i <= 3; i++) {
                    carol.send("{\"type\":\"subscribe\",\"id\":\"s" + i + "\",\"filter\":{}}");
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> carol.messages.size() >= 3);
                assertThat(carol.ofType("subscribed")).hasSize(2);
                assertThat(carol.ofType("error")).singleElement()
                        .satisfies(error -> assertThat(error.at("/problem/status").asInt()).isEqualTo(429));
            }
        }
    }

    @Test
    void onlyConfiguredOriginsAreAllowedAcrossOrigins() {
        JobpulseInstance jobpulse = shared;
        for (String origin : List.of("https://app.example", "https://evil.example")) {
            HttpResponse<String> preflight = jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", origin).header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization,content-type").build());
            if (origin.equals("https://app.example")) {
                assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(origin);
            } else {
                assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).as(origin).isEmpty();
            }
        }
    }

    /**
     * What a browser sends from a page on an origin Jobpulse does not list, to an instance on a local
     * address: the preflight, and a simple request it sends without one. Both are refused, and the
     * refusal says which origin and where to list it.
     */
    @Test
    void aBrowserOnAnOriginNotListedIsRefusedWithAProblemNamingTheOriginAndTheSetting() {
        JobpulseInstance jobpulse = shared;
        HttpResponse<String> preflight = jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://evil.example").header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization").build());
        HttpResponse<String> actual = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs"))
                .header("Origin", "http://evil.example").GET());
        for (HttpResponse<String> refused : List.of(preflight, actual)) {
            assertProblem(refused, 403);
            assertThat(json(refused).get("type").asText()).isEqualTo("https://jobpulse.io/problems/forbidden");
            assertThat(json(refused).get("detail").asText()).contains("http://evil.example", "JOBPULSE_CORS_ORIGINS");
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
        HttpResponse<String> head = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs"))
                .header("Origin", "http://evil.example").method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(403);
        assertThat(head.body()).as("an answer to HEAD has no body").isEmpty();
        HttpResponse<String> listed = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs?limit=1"))
                .header("Origin", "https://app.example").GET());
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
    }

    @Test
    void aStreamTokensStreamIsToldItExpiresAndEnds() {
        JobpulseInstance jobpulse = shared;
        String token = json(jobpulse.post("/v1/stream-tokens", "{}")).get("token").asText();
        HttpRequest connect = HttpRequest.newBuilder(jobpulse.uri("/v1/stream?token=" + token)).header("Accept", "text/event-stream").build();
        try (SseClient stream = SseClient.open(HttpClient.newHttpClient(), connect)) {
            assertThat(stream.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.events("token-expiring").isEmpty());
            assertThat(stream.hasEnded()).as("told before the end").isFalse();
            stream.awaitEnd(Duration.ofSeconds(15));
        }
    }

    @Test
    void aSocketOpenedWithAStreamTokenIsRenewedInPlaceOrClosedAtExpiry() throws Exception {
        JobpulseInstance jobpulse = shared;
        String first = json(jobpulse.post("/v1/stream-tokens", "{}")).get("token").asText();
        String second = json(jobpulse.post("/v1/stream-tokens", "{}")).get("token").asText();
        try (SocketClient renewed = new SocketClient(jobpulse, "/v1/ws?token=" + first, null);
             SocketClient lapsed = new SocketClient(jobpulse, "/v1/ws?token=" + second, null)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !renewed.ofType("token-expiring").isEmpty());
            String fresh = json(jobpulse.post("/v1/stream-tokens", "{}")).get("token").asText();
            renewed.send("{\"type\":\"renew\",\"id\":\"r1\",\"token\":\"" + fresh + "\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> !renewed.ofType("renewed").isEmpty());

            await().atMost(Duration.ofSeconds(15)).until(() -> !lapsed.closes.isEmpty());
            assertThat(lapsed.closes.getFirst()).startsWith("1008").contains("token-expired");
            assertThat(renewed.closes).as("the renewed socket outlives its first token").isEmpty();
            renewed.send("{\"type\":\"ping\",\"id\":\"p\"}");
            await().atMost(Duration.ofSeconds(5)).until(() -> !renewed.ofType("pong").isEmpty());
        }
    }
}
