package io.jobpulse.app;

import io.jobpulse.app.WebhookReceiver.Answer;
import io.jobpulse.app.WebhookReceiver.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook receiver itself, fed requests signed here in Java: it must tell a good signature from
 * a bad one and answer as told, or the webhook tests that lean on it could pass while proving nothing.
 */
class WebhookReceiverTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] OLD_SECRET = randomSecret();
    private static final byte[] NEW_SECRET = randomSecret();
    private static final String BODY = "{\"type\":\"job.succeeded\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{\"jobId\":\"j1\"}}";

    private static WebhookReceiver receiver;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        receiver = WebhookReceiver.start();
    }

    @AfterAll
    static void stop() {
        if (receiver != null) {
            receiver.close();
        }
        HTTP.close();
    }

    @Test
    void namesTheSecretThatSignedADelivery() throws Exception {
        receiver.configure("/signed", List.of(whsec(OLD_SECRET), whsec(NEW_SECRET)), List.of(), null);

        send(StandardWebhooksSigner.signed(uri("/signed"), "msg_new", BODY, NEW_SECRET, Instant.now()));
        send(StandardWebhooksSigner.signed(uri("/signed"), "msg_old", BODY, OLD_SECRET, Instant.now()));
        Instant now = Instant.now();
        String byBoth = signature("msg_both", NEW_SECRET, now) + " " + signature("msg_both", OLD_SECRET, now);
        send(StandardWebhooksSigner.signed(uri("/signed"), "msg_both", BODY, NEW_SECRET, now).setHeader("webhook-signature", byBoth));

        List<Received> received = receiver.awaitReceived("/signed", 3, WAIT);
        assertThat(received).extracting(Received::id).containsExactly("msg_new", "msg_old", "msg_both");
        assertThat(received).extracting(Received::verifiedBy).containsExactly(List.of(1), List.of(0), List.of(0, 1));
        assertThat(received.getFirst().body()).isEqualTo(BODY);
        assertThat(received.getFirst().json().get("data").get("jobId").asText()).isEqualTo("j1");
        assertThat(received.getFirst().signature()).startsWith("v1,");
    }

    @Test
    void verifiesATamperedBodyByNoSecret() throws Exception {
        receiver.configure("/tampered", List.of(whsec(OLD_SECRET), whsec(NEW_SECRET)), List.of(), null);

        HttpResponse<String> answered = send(StandardWebhooksSigner.signed(uri("/tampered"), "msg_t", BODY, NEW_SECRET, Instant.now())
                .POST(HttpRequest.BodyPublishers.ofString(BODY.replace("j1", "j2"))));

        assertThat(answered.statusCode()).as("answered as configured all the same").isEqualTo(200);
        Received received = receiver.awaitReceived("/tampered", 1, WAIT).getFirst();
        assertThat(received.verifiedBy()).isEmpty();
        assertThat(received.body()).contains("j2");
    }

    @Test
    void verifiesAnOldTimestampByNoSecret() throws Exception {
        receiver.configure("/stale", List.of(whsec(NEW_SECRET)), List.of(), null);

        Instant tenMinutesAgo = Instant.now().minus(Duration.ofMinutes(10));
        send(StandardWebhooksSigner.signed(uri("/stale"), "msg_s", BODY, NEW_SECRET, tenMinutesAgo));

        Received received = receiver.awaitReceived("/stale", 1, WAIT).getFirst();
        assertThat(received.timestamp()).isEqualTo(tenMinutesAgo.getEpochSecond());
        assertThat(received.verifiedBy()).isEmpty();
    }

    @Test
    void givesTheQueuedAnswersInTurnThenTheLastingOne() throws Exception {
        String excerpt = "x".repeat(5000);
        receiver.configure("/queue", List.of(whsec(NEW_SECRET)),
                List.of(Answer.status(500).withBody(excerpt), Answer.status(410)), Answer.status(200));

        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> first = send(StandardWebhooksSigner.signed(uri("/queue"), "msg_1", BODY, NEW_SECRET, Instant.now()));
        statuses.add(first.statusCode());
        for (String id : List.of("msg_2", "msg_3", "msg_4")) {
            statuses.add(send(StandardWebhooksSigner.signed(uri("/queue"), id, BODY, NEW_SECRET, Instant.now())).statusCode());
        }

        assertThat(statuses).containsExactly(500, 410, 200, 200);
        assertThat(first.body()).isEqualTo(excerpt);
        assertThat(receiver.awaitReceived("/queue", 4, WAIT)).extracting(Received::answered).containsExactly(500, 410, 200, 200);
    }

    @Test
    void delaysADelayedAnswer() throws Exception {
        Duration delay = Duration.ofMillis(1500);
        receiver.configure("/slow", List.of(whsec(NEW_SECRET)), List.of(Answer.delayed(200, delay)), null);

        long sent = System.nanoTime();
        HttpResponse<String> slow = send(StandardWebhooksSigner.signed(uri("/slow"), "msg_slow", BODY, NEW_SECRET, Instant.now()));
        Duration slowTook = Duration.ofNanos(System.nanoTime() - sent);
        long next = System.nanoTime();
        send(StandardWebhooksSigner.signed(uri("/slow"), "msg_fast", BODY, NEW_SECRET, Instant.now()));
        Duration fastTook = Duration.ofNanos(System.nanoTime() - next);

        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(slowTook).isGreaterThanOrEqualTo(delay);
        assertThat(fastTook).isLessThan(delay);
        List<Received> received = receiver.awaitReceived("/slow", 2, WAIT);
        assertThat(received.get(1).at() - received.get(0).at()).as("the second came once the first was answered")
                .isGreaterThanOrEqualTo(delay.toMillis());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The webhook-signature header the secret gives a delivery, as during a rotation each active secret does. */
    private static String signature(String deliveryId, byte[] secret, Instant at) {
        return StandardWebhooksSigner.signed(uri("/any"), deliveryId, BODY, secret, at).build()
                .headers().firstValue("webhook-signature").orElseThrow();
    }

    private static URI uri(String path) {
        return URI.create(receiver.url(path));
    }

    private static String whsec(byte[] secret) {
        return "whsec_" + Base64.getEncoder().encodeToString(secret);
    }

    private static byte[] randomSecret() {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        return secret;
    }
}
