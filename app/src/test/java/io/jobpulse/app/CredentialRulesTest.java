package io.jobpulse.app;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.jobpulse.app.security.ApiKeys;
import io.jobpulse.app.security.JwtSecret;
import io.jobpulse.http.Caller;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Credentials as an attacker presents them: unsigned, unexpiring, for another issuer or
 * audience, with another application's {@code admin} scope, on another spelling of the metrics
 * path; and streams that must end with the credential that opened them.
 */
class CredentialRulesTest {

    private static JobpulseInstance jobpulse;
    private static String alicesJob;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of("jobpulse.security.key-cache", "1s", "jobpulse.push.token-expiring-notice", "2s"));
        alicesJob = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.credentials\"}")).get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/jobs/" + alicesJob).statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    /** A GET of the path exactly as written (no resolution: {@code //x} stays a path). */
    private static HttpResponse<String> getAs(String bearer, String path) {
        URI exact = URI.create(jobpulse.uri("/").toString().replaceFirst("/$", "") + path);
        return jobpulse.sendAsIs(HttpRequest.newBuilder(exact).header("Authorization", "Bearer " + bearer)
                .timeout(Duration.ofSeconds(30)).build());
    }

    private static String unsigned(String claims) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        return base64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".";
    }

    private static String signed(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(JobpulseInstance.JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static JWTClaimsSet.Builder aliceClaims() {
        return new JWTClaimsSet.Builder().subject("alice").issuer(JobpulseInstance.JWT_ISSUER)
                .audience(JobpulseInstance.JWT_AUDIENCE).expirationTime(Date.from(Instant.now().plusSeconds(600)));
    }

    @Test
    void aServerWithNoWayToVerifySignaturesRefusesToStart() {
        Map<String, Object> props = new HashMap<>(JobpulseInstance.stackProperties());
        props.put("jobpulse.security.jwt-secret", "");
        props.put("micronaut.server.port", -1);
        props.put("jobpulse.roles", "ingest");
        try (ApplicationContext context = ApplicationContext.builder().properties(props).start()) {
            assertThatThrownBy(() -> context.getBean(EmbeddedServer.class))
                    .hasStackTraceContaining("jobpulse.security.jwt-secret")
                    .hasStackTraceContaining("no way to verify JWT signatures");
        }
    }

    @Test
    void unsignedTokensAreRefused() {
        String claims = "{\"sub\":\"alice\",\"iss\":\"" + JobpulseInstance.JWT_ISSUER + "\",\"aud\":\"" + JobpulseInstance.JWT_AUDIENCE
                + "\",\"exp\":" + Instant.now().plusSeconds(600).getEpochSecond() + ",\"scope\":\"jobpulse:admin\"}";
        assertThat(getAs(unsigned(claims), "/v1/jobs/" + alicesJob).statusCode()).isEqualTo(401);
        assertThat(getAs(unsigned("{\"sub\":\"alice\"}"), "/v1/jobs").statusCode()).isEqualTo(401);
    }

    @Test
    void aTokenMustExpireAndNameTheConfiguredIssuerAndAudience() throws Exception {
        assertThat(getAs(signed(aliceClaims().build()), "/v1/jobs/" + alicesJob).statusCode()).as("the rules' own token").isEqualTo(200);
        assertThat(getAs(signed(aliceClaims().expirationTime(null).build()), "/v1/jobs/" + alicesJob).statusCode())
                .as("no exp").isEqualTo(401);
        assertThat(getAs(signed(aliceClaims().issuer("https://other-idp.example").build()), "/v1/jobs/" + alicesJob).statusCode())
                .as("another issuer").isEqualTo(401);
        assertThat(getAs(signed(aliceClaims().issuer(null).build()), "/v1/jobs/" + alicesJob).statusCode())
                .as("no issuer").isEqualTo(401);
        assertThat(getAs(signed(aliceClaims().audience("another-app").build()), "/v1/jobs/" + alicesJob).statusCode())
                .as("another audience").isEqualTo(401);
    }

    @Test
    void anotherApplicationsAdminScopeCountsForNothing() throws Exception {
        String mallory = JobpulseInstance.token("mallory", "admin openid");
        HttpResponse<String> read = getAs(mallory, "/v1/jobs/" + alicesJob);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(403);
        assertThat(json(read).get("scope").asText()).isEqualTo("jobpulse:jobs:read");
        assertThat(getAs(mallory, "/prometheus").statusCode()).isEqualTo(403);
        assertThat(getAs(JobpulseInstance.adminToken(), "/v1/jobs/" + alicesJob).statusCode()).as("jobpulse:admin").isEqualTo(200);
    }

    @Test
    void scopesOfOldNamesAreRefusedWithTheirNewName() {
        assertThatThrownBy(() -> ApiKeys.parseScopes("jobs:report,jobpulse:jobs:read"))
                .hasMessageContaining("'jobs:report' is now 'jobpulse:jobs:report'");
        assertThatThrownBy(() -> ApiKeys.parseScopes("admin")).hasMessageContaining("'admin' is now 'jobpulse:admin'");
        assertThat(ApiKeys.parseScopes("jobpulse:jobs:report jobpulse:admin")).containsExactlyInAnyOrder(Caller.Scope.REPORT, Caller.Scope.ADMIN);
    }

    @Test
    void healthTellsAnyoneItsComponentsButNoSecret() {
        TestStack stack = TestStack.get();
        for (String bearer : new String[] {JobpulseInstance.token("alice"), JobpulseInstance.adminToken()}) {
            await().atMost(Duration.ofSeconds(10)).until(() -> getAs(bearer, "/health").statusCode() == 200);
            HttpResponse<String> health = getAs(bearer, "/health");
            assertThat(json(health).get("status").asText()).isEqualTo("UP");
            assertThat(json(health).at("/details/postgresql/status").asText()).as(health.body()).isEqualTo("UP");
            assertThat(json(health).at("/details/streams/details/topology/state").asText()).as(health.body()).isIn("RUNNING", "REBALANCING");
            assertThat(json(health).at("/details/disk/status").asText()).as(health.body()).isEqualTo("UP");
            assertThat(health.body()).as("no credential, key or address").doesNotContain(JobpulseInstance.JWT_SECRET,
                    JobpulseInstance.SIGNING_KEY, stack.jdbcUrl, "jdbc:", stack.bootstrapServers);
            if (!stack.password.isEmpty()) {
                assertThat(health.body()).doesNotContain(stack.password);
            }
        }
    }

    @Test
    void theMetricsWantAdminWhateverThePathsSpelling() {
        String alice = JobpulseInstance.token("alice");
        for (String path : new String[] {"/prometheus", "/prometheus/", "//prometheus", "/prometheus//"}) {
            HttpResponse<String> answer = getAs(alice, path);
            assertThat(answer.statusCode()).as(path + ": " + answer.body()).isIn(403, 404);
            assertThat(answer.body()).as(path).doesNotContain("jvm_");
        }
        assertThat(getAs(JobpulseInstance.adminToken(), "/prometheus").body()).contains("jvm_");
    }

    @Test
    void aStreamOpenedWithAJwtEndsAtItsExpiry() {
        String shortLived = JwtSecret.mint(JobpulseInstance.JWT_SECRET, JobpulseInstance.JWT_ISSUER, JobpulseInstance.JWT_AUDIENCE,
                "alice", null, Duration.ofSeconds(5));
        HttpRequest connect = HttpRequest.newBuilder(jobpulse.uri("/v1/stream")).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + shortLived).build();
        try (SseClient stream = SseClient.open(HttpClient.newHttpClient(), connect)) {
            assertThat(stream.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.events("token-expiring").isEmpty());
            stream.awaitEnd(Duration.ofSeconds(15));
        }
        try (SocketClient socket = new SocketClient(jobpulse, "/v1/ws", "Bearer " + JwtSecret.mint(JobpulseInstance.JWT_SECRET,
                JobpulseInstance.JWT_ISSUER, JobpulseInstance.JWT_AUDIENCE, "alice", null, Duration.ofSeconds(5)))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> !socket.closes.isEmpty());
            assertThat(socket.ofType("token-expiring")).isNotEmpty();
            assertThat(socket.closes.getFirst()).startsWith("1008").contains("token-expired");
        }
    }

    @Test
    void aStreamOpenedWithAnApiKeyEndsOnceTheKeyIsRevoked() {
        ApiKeys keys = jobpulse.context().getBean(ApiKeys.class);
        ApiKeys.Created key = keys.create("watcher", EnumSet.of(Caller.Scope.READ), "alice");
        HttpRequest connect = HttpRequest.newBuilder(jobpulse.uri("/v1/stream")).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + key.key()).build();
        try (SseClient stream = SseClient.open(HttpClient.newHttpClient(), connect);
             SocketClient socket = new SocketClient(jobpulse, "/v1/ws", "Bearer " + key.key())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(socket.closes).as("the socket is open before the key is revoked").isEmpty();
            assertThat(keys.revoke(key.id())).isTrue();
            stream.awaitEnd(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> !socket.closes.isEmpty());
            assertThat(socket.closes.getFirst()).startsWith("1008").contains("credential-revoked");
        }
    }
}
