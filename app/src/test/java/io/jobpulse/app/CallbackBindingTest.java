package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.demo.PretendProvider;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.Topics;
import io.jobpulse.ingest.ProviderCancels;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Callbacks are bound to their job, from the attacker's side against the real broker: fal
 * callbacks of another fal account, a signed delivery replayed at another job's URL, a callback
 * about another job's request, signature headers in the raw history, computable idempotent ids,
 * and a second claim of another job's provider request (with a cancel of the claimant).
 */
class CallbackBindingTest {

    private static final byte[] SECRET = "replicate's secret, 32 bytes....".getBytes(StandardCharsets.UTF_8);
    private static final String OPERATORS_FAL_ACCOUNT = "operator-account";
    private static KeyPair fal;
    private static PretendProvider replicate;
    private static JobpulseInstance jobpulse;
    private static KafkaConsumer<String, RejectedEvent> rejects;
    private static final List<RejectedEvent> REJECTED = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        fal = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        replicate = new PretendProvider(PretendProvider.Behaviour.reliable(new byte[32]));
        jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.providers.replicate.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(SECRET)),
                "jobpulse.providers.replicate.credentials.api", "Token r8-test",
                "jobpulse.providers.replicate.cancel-url", replicate.baseUrl() + "/v1/predictions/{requestId}/cancel",
                "jobpulse.providers.replicate.cancel-credential", "api",
                "jobpulse.providers.fal.signature", "fal",
                "jobpulse.providers.fal.public-keys", List.of(falKey()),
                "jobpulse.providers.fal.allowed-user-ids", List.of(OPERATORS_FAL_ACCOUNT),
                "jobpulse.provider-cancels.group-id", "binding-test-" + System.nanoTime(),
                // The pretend provider runs on loopback, which outbound requests may reach only when allowed.
                "jobpulse.outbound.allowed-private-networks", List.of("127.0.0.1/32")));
        await().atMost(Duration.ofSeconds(30)).until(jobpulse.context().getBean(ProviderCancels.class)::isAssigned);
        rejects = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                Topics.JOB_EVENTS_REJECTED.valueSerde().deserializer());
        List<TopicPartition> partitions = rejects.partitionsFor(Topics.JOB_EVENTS_REJECTED_NAME).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        rejects.assign(partitions);
        rejects.seekToBeginning(partitions);
    }

    @AfterAll
    static void stop() {
        rejects.close();
        jobpulse.close();
        replicate.close();
    }

    private static String falKey() {
        byte[] encoded = fal.getPublic().getEncoded();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    }

    /** Submits a job (as alice unless {@code user} says otherwise); the answer. */
    private static JsonNode submit(String user, String body) {
        HttpResponse<String> answer = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + JobpulseInstance.token(user))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return json(answer);
    }

    private static JsonNode state(String job) {
        return json(jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + job))
                .header("Authorization", "Bearer " + JobpulseInstance.adminToken()).GET()));
    }

    /**
     * A sentinel: a report that makes the job running must be its next version, so nothing the
     * test sent before it was applied.
     */
    private static void assertUnchangedSince(String job, long version) {
        HttpResponse<String> report = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + job + "/reports"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + JobpulseInstance.adminToken())
                .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"running\",\"message\":\"sentinel\"}")));
        assertThat(report.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> "sentinel".equals(state(job).path("message").asText()));
        assertThat(state(job).get("version").asLong()).as("only the sentinel applied").isEqualTo(version + 1);
    }

    /** The refusal of this reason for this job in {@code jobpulse.job-events-rejected}, once it is there. */
    private static RejectedEvent rejection(String job, String reason) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            rejects.poll(Duration.ofMillis(200)).forEach(record -> REJECTED.add(record.value()));
            return REJECTED.stream().anyMatch(r -> r.jobId().equals(job) && r.reason().equals(reason));
        });
        return REJECTED.stream().filter(r -> r.jobId().equals(job) && r.reason().equals(reason)).findFirst().orElseThrow();
    }

    private static HttpRequest.Builder falSigned(URI uri, String requestId, String userId, String body) throws Exception {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
        Signature ed25519 = Signature.getInstance("Ed25519");
        ed25519.initSign(fal.getPrivate());
        ed25519.update(String.join("\n", requestId, userId, timestamp, hash).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("X-Fal-Webhook-Request-Id", requestId).header("X-Fal-Webhook-User-Id", userId)
                .header("X-Fal-Webhook-Timestamp", timestamp).header("X-Fal-Webhook-Signature", HexFormat.of().formatHex(ed25519.sign()))
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static void assertUnauthorizedProblem(HttpResponse<String> answer, String detail) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(401);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(json(answer).get("type").asText()).isEqualTo("https://jobpulse.io/problems/unauthorized");
        assertThat(json(answer).get("detail").asText()).contains(detail);
    }

    @Test
    void aFalCallbackSignedByFalForAnotherAccountIsRefused() throws Exception {
        JsonNode accepted = submit("alice", "{\"type\":\"x.binding\"}");
        String job = accepted.get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> state(job).path("version").asLong() == 1);
        String body = "{\"request_id\":\"their-req\",\"status\":\"OK\",\"payload\":{\"images\":[]}}";

        HttpResponse<String> answer = jobpulse.sendAsIs(falSigned(jobpulse.uri(accepted.at("/webhooks/fal").asText()),
                "their-req", "another-fal-customer", body).build());

        assertUnauthorizedProblem(answer, "X-Fal-Webhook-User-Id");
        assertUnchangedSince(job, 1);
    }

    @Test
    void aSignedDeliveryForOneJobReplayedAtAnotherJobsUrlIsRefused() {
        JsonNode a = submit("alice", "{\"type\":\"x.binding\"}");
        String jobB = submit("bob", "{\"type\":\"x.binding\"}").get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> state(jobB).path("version").asLong() == 1);
        String body = "{\"id\":\"pred-replay\",\"status\":\"succeeded\"}";
        HttpRequest delivered = StandardWebhooksSigner.signed(jobpulse.uri(a.at("/webhooks/replicate").asText()), "msg-replay", body,
                SECRET, Instant.now()).build();
        assertThat(jobpulse.sendAsIs(delivered).statusCode()).isEqualTo(200);

        HttpResponse<String> withoutToken = jobpulse.sendAsIs(HttpRequest.newBuilder(delivered,
                (name, value) -> true).uri(jobpulse.uri("/v1/webhooks/replicate?job=" + jobB)).build());
        String aToken = a.at("/webhooks/replicate").asText().replaceAll(".*&token=", "");
        HttpResponse<String> withAsToken = jobpulse.sendAsIs(HttpRequest.newBuilder(delivered,
                (name, value) -> true).uri(jobpulse.uri("/v1/webhooks/replicate?job=" + jobB + "&token=" + aToken)).build());

        assertUnauthorizedProblem(withoutToken, "without its token");
        assertUnauthorizedProblem(withAsToken, "without its token");
        assertUnchangedSince(jobB, 1);
    }

    @Test
    void aCallbackWithAValidTokenAboutAnotherJobsRequestIsRefused() {
        String jobA = submit("alice", "{\"type\":\"x.binding\",\"provider\":{\"name\":\"replicate\",\"requestId\":\"pred-of-a\"}}")
                .get("id").asText();
        JsonNode b = submit("bob", "{\"type\":\"x.binding\",\"provider\":{\"name\":\"replicate\",\"requestId\":\"pred-of-b\"}}");
        String jobB = b.get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> state(jobA).at("/provider/requestId").asText().equals("pred-of-a")
                && state(jobB).at("/provider/requestId").asText().equals("pred-of-b"));

        HttpResponse<String> answer = jobpulse.sendAsIs(StandardWebhooksSigner.signed(jobpulse.uri(b.at("/links/webhook").asText()),
                "msg-cross", "{\"id\":\"pred-of-a\",\"status\":\"succeeded\"}", SECRET, Instant.now()).build());

        assertThat(answer.statusCode()).as("signature and token are valid: ingest takes it").isEqualTo(200);
        RejectedEvent refused = rejection(jobB, "request-mismatch");
        assertThat(refused.detail()).contains("pred-of-a").contains("pred-of-b");
        assertUnchangedSince(jobB, 2);
        assertThat(state(jobB).at("/provider/requestId").asText()).isEqualTo("pred-of-b");
    }

    @Test
    void theRawHistoryShowsNoSignatureHeader() throws Exception {
        JsonNode accepted = submit("alice", "{\"type\":\"x.binding\"}");
        String job = accepted.get("id").asText();
        JsonNode replicateAccepted = submit("alice", "{\"type\":\"x.binding\"}");
        String falBody = "{\"request_id\":\"fal-hist\",\"status\":\"OK\",\"payload\":{}}";
        assertThat(jobpulse.sendAsIs(falSigned(jobpulse.uri(accepted.at("/webhooks/fal").asText()), "fal-hist",
                OPERATORS_FAL_ACCOUNT, falBody).build()).statusCode()).isEqualTo(200);
        assertThat(jobpulse.sendAsIs(StandardWebhooksSigner.signed(jobpulse.uri(replicateAccepted.at("/webhooks/replicate").asText()),
                "msg-hist", "{\"id\":\"pred-hist\",\"status\":\"processing\"}", SECRET, Instant.now()).build()).statusCode()).isEqualTo(200);

        for (String callbackJob : List.of(job, replicateAccepted.get("id").asText())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + callbackJob + "/history?raw=true"))
                    .path("events").findValues("type").stream().anyMatch(t -> t.asText().equals("job.callback-received")));
            JsonNode callback = null;
            for (JsonNode event : json(jobpulse.get("/v1/jobs/" + callbackJob + "/history?raw=true")).get("events")) {
                if (event.get("type").asText().equals("job.callback-received")) {
                    callback = event.get("event");
                }
            }
            List<String> headers = new ArrayList<>();
            callback.at("/raw/headers").fieldNames().forEachRemaining(headers::add);
            assertThat(headers).as("kept headers").isNotEmpty().noneMatch(name -> name.contains("signature"))
                    .doesNotContain("x-fal-webhook-user-id");
            assertThat(headers).containsAnyOf("webhook-id", "x-fal-webhook-request-id");
        }
    }

    @Test
    void idempotentIdsCannotBeComputedFromOwnerAndKey() {
        String key = "order-" + UUID.randomUUID();
        HttpResponse<String> alice = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs")).header("Idempotency-Key", key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"x.binding\"}")));
        HttpResponse<String> aliceAgain = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs")).header("Idempotency-Key", key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"x.binding\"}")));
        HttpResponse<String> bob = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs")).header("Idempotency-Key", key)
                .header("Authorization", "Bearer " + JobpulseInstance.token("bob"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"x.binding\"}")));

        String aliceId = json(alice).get("id").asText();
        String bobId = json(bob).get("id").asText();
        assertThat(json(aliceAgain).get("id").asText()).as("a repeated submission names the same job").isEqualTo(aliceId);
        assertThat(aliceId).isNotEqualTo(bobId);
        assertThat(aliceId).as("not the name-based id anyone can compute")
                .isNotEqualTo(UUID.nameUUIDFromBytes(("alice\n" + key).getBytes(StandardCharsets.UTF_8)).toString());
        assertThat(bobId).isNotEqualTo(UUID.nameUUIDFromBytes(("bob\n" + key).getBytes(StandardCharsets.UTF_8)).toString());
        assertThat(UUID.fromString(aliceId).version()).isEqualTo(8);
    }

    @Test
    void aSecondClaimOfARequestIsRefusedGetsNoCallbacksAndItsCancelDoesNotReachTheProvider() {
        String victim = submit("alice", "{\"type\":\"x.binding\",\"provider\":{\"name\":\"replicate\",\"requestId\":\"pred-victim\"}}")
                .get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> state(victim).at("/provider/requestId").asText().equals("pred-victim"));

        String thief = submit("bob", "{\"type\":\"x.binding\",\"provider\":{\"name\":\"replicate\",\"requestId\":\"pred-victim\"}}")
                .get("id").asText();

        RejectedEvent refused = rejection(thief, "request-claimed");
        assertThat(refused.detail()).contains("replicate:pred-victim").doesNotContain(victim);
        assertThat(state(thief).at("/provider/requestId").isMissingNode() || state(thief).at("/provider/requestId").isNull())
                .as("the thief's job does not hold the victim's request: %s", state(thief).get("provider")).isTrue();

        var routed = jobpulse.sendAsIs(StandardWebhooksSigner.signed(jobpulse.uri("/v1/webhooks/replicate"), "msg-victim",
                "{\"id\":\"pred-victim\",\"status\":\"processing\"}", SECRET, Instant.now()).build());
        assertThat(routed.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> state(victim).path("status").asText().equals("running"));
        assertThat(state(thief).get("status").asText()).as("the victim's callback did not reach the thief").isEqualTo("queued");
        assertThat(state(thief).get("version").asLong()).isEqualTo(1);

        // The thief cancels; a sentinel job with its own request is canceled after it, and its cancel must be the only call.
        String sentinel = submit("alice", "{\"type\":\"x.binding\",\"provider\":{\"name\":\"replicate\",\"requestId\":\"pred-sentinel\"}}")
                .get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> state(sentinel).at("/provider/requestId").asText().equals("pred-sentinel"));
        int before = replicate.cancels().size();
        HttpResponse<String> cancel = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + thief + "/cancel"))
                .header("Authorization", "Bearer " + JobpulseInstance.token("bob")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(cancel.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> state(thief).path("status").asText().equals("canceled"));
        jobpulse.post("/v1/jobs/" + sentinel + "/cancel", "{}");

        await().atMost(Duration.ofSeconds(30)).until(() -> replicate.cancels().size() > before);
        await().atMost(Duration.ofSeconds(30)).until(() -> json(jobpulse.get("/v1/jobs/" + sentinel + "/history?raw=true"))
                .path("events").findValues("type").stream().anyMatch(t -> t.asText().equals("job.provider-cancel-recorded")));
        assertThat(replicate.cancels().subList(before, replicate.cancels().size())).singleElement()
                .satisfies(call -> assertThat(call).contains("pred-sentinel"));
        assertThat(state(victim).get("status").asText()).isEqualTo("running");
    }

    @Test
    void aFalProviderWithoutAllowedAccountsRefusesToStart() {
        assertThatThrownBy(() -> JobpulseInstance.start(Map.of(
                "jobpulse.providers.falnoaccounts.signature", "fal",
                "jobpulse.providers.falnoaccounts.public-keys", List.of(falKey()))).close())
                .hasStackTraceContaining("jobpulse.providers.falnoaccounts.allowed-user-ids");
    }

    @Test
    void anIngestInstanceWithoutTheSigningKeyRefusesToStart() {
        assertThatThrownBy(() -> JobpulseInstance.start(Map.of("jobpulse.security.signing-key", "")).close())
                .hasStackTraceContaining("jobpulse.security.signing-key");
    }
}
