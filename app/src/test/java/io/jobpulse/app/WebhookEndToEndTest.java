package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Signed provider callbacks against the real broker: a job reaches its terminal state through
 * webhooks alone; forged, stale and unsigned ones are refused with nothing written; redelivered
 * and out-of-order ones change nothing.
 */
class WebhookEndToEndTest {

    private static final byte[] SECRET = "replicate's secret, 32 bytes....".getBytes(StandardCharsets.UTF_8);
    private static KeyPair fal;
    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() throws Exception {
        fal = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] encoded = fal.getPublic().getEncoded();
        String falKey = Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
        jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.providers.replicate.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(SECRET)),
                "jobpulse.providers.fal.signature", "fal",
                "jobpulse.providers.fal.public-keys", List.of(falKey),
                "jobpulse.providers.fal.allowed-user-ids", List.of("user-1")));
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    /** Each submitted job's webhook URLs, by provider, as the submission answered them. */
    private static final Map<String, JsonNode> WEBHOOKS = new ConcurrentHashMap<>();

    private static String submit() {
        JsonNode accepted = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.webhook\"}"));
        String job = accepted.get("id").asText();
        assertThat(accepted.at("/webhooks/replicate").asText()).startsWith("/v1/webhooks/replicate?job=" + job + "&token=");
        assertThat(accepted.at("/webhooks/fal").asText()).startsWith("/v1/webhooks/fal?job=" + job + "&token=");
        WEBHOOKS.put(job, accepted.get("webhooks"));
        return job;
    }

    private static URI webhook(String job, String provider) {
        return jobpulse.uri(job.isEmpty() ? "/v1/webhooks/" + provider + "?job=" : WEBHOOKS.get(job).get(provider).asText());
    }

    /** A Replicate-style callback signed the Standard Webhooks way with the given secret and time, to the job's URL. */
    private static HttpResponse<String> replicate(String job, String deliveryId, String body, byte[] secret, Instant at) {
        return jobpulse.send(StandardWebhooksSigner.signed(webhook(job, "replicate"), deliveryId, body, secret, at));
    }

    private static HttpResponse<String> replicate(String job, String deliveryId, String body) throws Exception {
        return replicate(job, deliveryId, body, SECRET, Instant.now());
    }

    private static long version(String job) {
        return json(jobpulse.get("/v1/jobs/" + job)).path("version").asLong();
    }

    @Test
    void aJobReachesItsTerminalStateThroughWebhooksAlone() throws Exception {
        String job = submit();

        assertThat(replicate(job, "msg_1", "{\"id\":\"pred-7\",\"status\":\"processing\",\"logs\":\" 40%|████ | 2/5\"}").statusCode()).isEqualTo(200);
        assertThat(replicate(job, "msg_2", "{\"id\":\"pred-7\",\"status\":\"succeeded\",\"output\":[\"https://replicate.delivery/out.png\"]}")
                .statusCode()).isEqualTo(200);

        // Running, succeeded, and the request granted to the job.
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 4);
        JsonNode state = json(jobpulse.get("/v1/jobs/" + job));
        assertThat(state.get("status").asText()).isEqualTo("succeeded");
        assertThat(state.at("/result/0").asText()).isEqualTo("https://replicate.delivery/out.png");
        assertThat(state.at("/provider/name").asText()).isEqualTo("replicate");
        assertThat(state.at("/provider/requestId").asText()).isEqualTo("pred-7");
        assertThat(state.at("/provider/rawStatus").asText()).isEqualTo("succeeded");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).path("events").size() == 4);
        JsonNode callback = null;
        for (JsonNode event : json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).get("events")) {
            if (event.at("/event/raw/headers/webhook-id").asText().equals("msg_1")) {
                callback = event.get("event");
            }
        }
        assertThat(callback).as("the first callback among the raw events").isNotNull();
        assertThat(callback.get("verification").asText()).isEqualTo("v1, secret 1 of 1");
        assertThat(callback.at("/raw/body/logs").asText()).contains("40%");
    }

    @Test
    void forgedStaleAndUnsignedCallbacksAreRefusedAndWriteNothing() throws Exception {
        String job = submit();
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 1);
        String body = "{\"id\":\"pred-8\",\"status\":\"succeeded\"}";

        HttpResponse<String> forged = replicate(job, "msg_f", body, "an attacker's guess at the secret".getBytes(StandardCharsets.UTF_8), Instant.now());
        HttpResponse<String> stale = replicate(job, "msg_s", body, SECRET, Instant.now().minus(Duration.ofMinutes(6)));
        HttpResponse<String> unsigned = jobpulse.send(HttpRequest.newBuilder(webhook(job, "replicate"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));

        for (HttpResponse<String> refused : List.of(forged, stale, unsigned)) {
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(json(refused).get("type").asText()).endsWith("/unauthorized");
        }
        assertThat(json(stale).get("detail").asText()).contains("webhook-timestamp is more than 300 s from now");
        // A sentinel: the next accepted change is version 2, so none of the refused ones was written.
        jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"running\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 2);
        assertThat(json(jobpulse.get("/v1/jobs/" + job)).get("status").asText()).isEqualTo("running");
    }

    @Test
    void redeliveredAndOutOfOrderCallbacksChangeNothing() throws Exception {
        String job = submit();
        replicate(job, "msg_p", "{\"id\":\"pred-9\",\"status\":\"processing\"}");
        // Running (2), then the request granted to the job (3).
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 3);

        HttpResponse<String> redelivered = replicate(job, "msg_p", "{\"id\":\"pred-9\",\"status\":\"processing\"}");
        replicate(job, "msg_q", "{\"id\":\"pred-9\",\"status\":\"starting\"}");
        replicate(job, "msg_d", "{\"id\":\"pred-9\",\"status\":\"failed\",\"error\":\"NSFW content detected\"}");
        replicate(job, "msg_late", "{\"id\":\"pred-9\",\"status\":\"processing\"}");
        // A retry is refused at once while the job still runs: wait until it has failed.
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + job)).path("status").asText().equals("failed"));
        assertThat(jobpulse.post("/v1/jobs/" + job + "/retry", "{}").statusCode()).isEqualTo(202);

        assertThat(redelivered.statusCode()).isEqualTo(200);
        // The retry is the sentinel: it applies after everything before it, as version 5.
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 5);
        JsonNode history = json(jobpulse.get("/v1/jobs/" + job + "/history"));
        assertThat(history.get("changes")).extracting(change -> change.get("status").asText())
                .as("redelivery, a stale 'starting' and a late 'processing' changed nothing (the second 'running' is the grant)")
                .containsExactly("queued", "running", "running", "failed", "queued");
    }

    /** A Replicate-style callback as Svix delivers it: svix-* headers, no credential of ours. */
    private static HttpResponse<String> throughSvix(String job, String deliveryId, String body, byte[] secret) {
        return jobpulse.sendAsIs(StandardWebhooksSigner.signedBySvix(webhook(job, "replicate"), deliveryId, body, secret, Instant.now()).build());
    }

    @Test
    void aDeliveryThroughSvixMovesTheJobAndItsRetryIsDeduplicated() {
        String job = submit();

        HttpResponse<String> first = throughSvix(job, "msg_svix_1", "{\"id\":\"pred-svix\",\"status\":\"processing\"}", SECRET);
        // Running (2), then the request granted to the job (3).
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 3);
        // Svix retries a delivery with the same svix-id, signed anew.
        HttpResponse<String> retried = throughSvix(job, "msg_svix_1", "{\"id\":\"pred-svix\",\"status\":\"processing\"}", SECRET);
        HttpResponse<String> last = throughSvix(job, "msg_svix_2", "{\"id\":\"pred-svix\",\"status\":\"succeeded\",\"output\":\"done\"}", SECRET);

        for (HttpResponse<String> answer : List.of(first, retried, last)) {
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        }
        assertThat(json(retried).get("eventId").asText()).as("the retry names the first delivery's event")
                .isEqualTo(json(first).get("eventId").asText());
        // The last delivery is the sentinel: it applies after the retry, as version 4.
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 4);
        assertThat(json(jobpulse.get("/v1/jobs/" + job)).get("status").asText()).isEqualTo("succeeded");
        // The raw events and the changes they made are projected apart: an event's appliedAs comes with its change.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode events = json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).path("events");
            return events.size() == 4 && StreamSupport.stream(events.spliterator(), false)
                    .filter(event -> event.get("type").asText().equals("job.callback-received")).allMatch(event -> event.has("appliedAs"));
        });
        List<JsonNode> callbacks = new ArrayList<>();
        for (JsonNode event : json(jobpulse.get("/v1/jobs/" + job + "/history?raw=true")).get("events")) {
            if (event.get("type").asText().equals("job.callback-received")) {
                assertThat(event.has("appliedAs")).as(event.toString()).isTrue();
                callbacks.add(event.get("event"));
            }
        }
        assertThat(callbacks).extracting(event -> event.get("deliveryId").asText())
                .as("the retry was applied once").containsExactly("msg_svix_1", "msg_svix_2");
        JsonNode kept = callbacks.getFirst();
        assertThat(kept.get("verification").asText()).isEqualTo("v1 (svix headers), secret 1 of 1");
        assertThat(kept.at("/raw/headers/svix-id").asText()).isEqualTo("msg_svix_1");
        assertThat(kept.at("/raw/headers/user-agent").asText()).startsWith("Svix-Webhooks/");
        assertThat(kept.at("/raw/headers").has("svix-signature")).as("no signature in the raw history").isFalse();
    }

    @Test
    void aSvixDeliveryWithAWrongSecretOrMixedHeaderSetsIsRefusedAndWritesNothing() {
        String job = submit();
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 1);
        String body = "{\"id\":\"pred-svix-f\",\"status\":\"succeeded\"}";
        HttpRequest valid = StandardWebhooksSigner.signedBySvix(webhook(job, "replicate"), "msg_svix_m", body, SECRET, Instant.now()).build();
        // Svix's id and timestamp beside its valid signature moved to the Standard Webhooks name.
        HttpRequest mixed = HttpRequest.newBuilder(valid, (name, value) -> !name.equalsIgnoreCase("svix-signature"))
                .header("webhook-signature", valid.headers().firstValue("svix-signature").orElseThrow()).build();

        HttpResponse<String> forged = throughSvix(job, "msg_svix_f", body, "an attacker's guess at the secret".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> combined = jobpulse.sendAsIs(mixed);

        for (HttpResponse<String> refused : List.of(forged, combined)) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(json(refused).get("type").asText()).endsWith("/unauthorized");
        }
        assertThat(json(forged).get("detail").asText()).contains("no signature in svix-signature matches a configured secret");
        assertThat(json(combined).get("detail").asText()).contains("missing webhook-id, webhook-timestamp")
                .contains("or Svix's svix-id, svix-timestamp and svix-signature, as one whole set").contains("never combined");
        // A sentinel: the next accepted change is version 2, so neither refused one was written.
        jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"running\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 2);
        assertThat(json(jobpulse.get("/v1/jobs/" + job)).get("status").asText()).isEqualTo("running");
    }

    @Test
    void falsSignedCallbackCompletesAJobWithItsPayload() throws Exception {
        String job = submit();
        String body = "{\"request_id\":\"fal-req-1\",\"gateway_request_id\":\"fal-req-1\",\"status\":\"OK\","
                + "\"payload\":{\"images\":[{\"url\":\"https://v3.fal.media/files/out.png\"}]}}";
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
        Signature ed25519 = Signature.getInstance("Ed25519");
        ed25519.initSign(fal.getPrivate());
        ed25519.update(String.join("\n", "fal-req-1", "user-1", timestamp, hash).getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> answer = jobpulse.send(HttpRequest.newBuilder(webhook(job, "fal"))
                .header("Content-Type", "application/json")
                .header("X-Fal-Webhook-Request-Id", "fal-req-1").header("X-Fal-Webhook-User-Id", "user-1")
                .header("X-Fal-Webhook-Timestamp", timestamp).header("X-Fal-Webhook-Signature", HexFormat.of().formatHex(ed25519.sign()))
                .POST(HttpRequest.BodyPublishers.ofString(body)));

        assertThat(answer.statusCode()).isEqualTo(200);
        // Succeeded (2), then the request granted to the job (3).
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 3);
        JsonNode state = json(jobpulse.get("/v1/jobs/" + job));
        assertThat(state.get("status").asText()).isEqualTo("succeeded");
        assertThat(state.at("/result/images/0/url").asText()).endsWith("out.png");
        assertThat(state.at("/provider/requestId").asText()).isEqualTo("fal-req-1");
    }

    @Test
    void aCallbackThatNamesOnlyItsRequestReachesTheJobThatNamedIt() {
        var accepted = jobpulse.post("/v1/jobs", "{\"type\":\"x.webhook\",\"provider\":{\"name\":\"replicate\",\"requestId\":\"pred-route\"}}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String job = json(accepted).get("id").asText();

        var routed = jobpulse.send(StandardWebhooksSigner.signed(jobpulse.uri("/v1/webhooks/replicate"), "msg_route",
                "{\"id\":\"pred-route\",\"status\":\"processing\"}", SECRET, Instant.now()));

        assertThat(routed.statusCode()).isEqualTo(200);
        assertThat(json(routed).get("requestId").asText()).isEqualTo("pred-route");
        // The request granted to the job (2), then the callback routed to it (3).
        await().atMost(Duration.ofSeconds(20)).until(() -> version(job) == 3);
        JsonNode state = json(jobpulse.get("/v1/jobs/" + job));
        assertThat(state.get("status").asText()).isEqualTo("running");
        assertThat(state.at("/provider/rawStatus").asText()).isEqualTo("processing");
    }

    @Test
    void providerRequestIdsWithControlCharactersAreRefusedBeforeTheyReachALog() {
        var submitted = jobpulse.post("/v1/jobs", "{\"type\":\"x.webhook\",\"provider\":{\"name\":\"replicate\","
                + "\"requestId\":\"r1\\n2026-11-30 12:00:00 INFO forged line\"}}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(400);
        assertThat(json(submitted).get("field").asText()).isEqualTo("provider.requestId");

        var called = jobpulse.send(StandardWebhooksSigner.signed(jobpulse.uri("/v1/webhooks/replicate"), "msg_ctl",
                "{\"id\":\"pred\\u001b[2J\",\"status\":\"processing\"}", SECRET, Instant.now()));
        assertThat(called.statusCode()).as(called.body()).isEqualTo(400);
    }

    @Test
    void aSubmissionNamingAnUnconfiguredProviderIsAProblem() {
        var answer = jobpulse.post("/v1/jobs", "{\"type\":\"x.webhook\",\"provider\":{\"name\":\"nobody\",\"requestId\":\"r\"}}");

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(json(answer).get("field").asText()).isEqualTo("provider.name");
    }

    @Test
    void unknownProvidersAndCallbacksWithoutAJobAreProblems() throws Exception {
        assertThat(jobpulse.post("/v1/webhooks/nobody?job=x", "{}").statusCode()).isEqualTo(404);
        HttpResponse<String> noJob = replicate("", "msg_n", "{\"status\":\"processing\"}");
        assertThat(noJob.statusCode()).isEqualTo(400);
        assertThat(json(noJob).get("field").asText()).isEqualTo("job");
    }
}
