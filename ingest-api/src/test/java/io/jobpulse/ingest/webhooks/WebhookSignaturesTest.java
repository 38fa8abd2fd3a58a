package io.jobpulse.ingest.webhooks;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookSignaturesTest {

    private static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final byte[] BODY = "{\"id\":\"pred-1\",\"status\":\"succeeded\"}".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-11-25T03:00:00Z");
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("a secret of thirty-two bytes!!!!".getBytes(StandardCharsets.UTF_8));

    private static String v1(String secret, String id, Instant at, byte[] body) {
        byte[] key = Base64.getDecoder().decode(secret.replaceFirst("^whsec_", ""));
        return "v1," + Base64.getEncoder().encodeToString(StandardWebhookSignature.hmac(key,
                StandardWebhookSignature.signedContent(id, Long.toString(at.getEpochSecond()), body)));
    }

    private static Map<String, String> headers(String id, Instant at, String signature) {
        return Map.of("webhook-id", id, "webhook-timestamp", Long.toString(at.getEpochSecond()), "webhook-signature", signature);
    }

    private static StandardWebhookSignature hmacOnly(String... secrets) {
        return new StandardWebhookSignature(List.of(secrets), List.of(), TOLERANCE);
    }

    /** The known answer of the Standard Webhooks specification, under one set of header names. */
    private static WebhookSignature.Verdict knownAnswer(StandardWebhookSignature.Headers names) {
        return hmacOnly("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").verify(Map.of(names.id(), "msg_p5jXN8AQM9LWM0D4loKWxJek",
                        names.timestamp(), "1614265330", names.signature(), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8), Instant.ofEpochSecond(1614265330));
    }

    @Test
    void acceptsTheStandardWebhooksKnownAnswerUnderItsOwnAndSvixsHeaderNames() {
        Instant sent = Instant.ofEpochSecond(1614265330);

        assertThat(knownAnswer(StandardWebhookSignature.STANDARD))
                .isEqualTo(new WebhookSignature.Verified("msg_p5jXN8AQM9LWM0D4loKWxJek", sent, "v1, secret 1 of 1"));
        assertThat(knownAnswer(StandardWebhookSignature.SVIX))
                .isEqualTo(new WebhookSignature.Verified("msg_p5jXN8AQM9LWM0D4loKWxJek", sent, "v1 (svix headers), secret 1 of 1"));
    }

    @Test
    void anyValidSignatureOfSeveralAccepts() {
        String valid = v1(SECRET, "msg_1", NOW, BODY);

        var verdict = hmacOnly(SECRET).verify(headers("msg_1", NOW, "v1,bm90IGl0 " + valid + " v1a,AAAA"), BODY, NOW);

        assertThat(verdict).isInstanceOf(WebhookSignature.Verified.class);
    }

    @Test
    void aRotatedSecretStillAcceptsWhileBothAreConfigured() {
        String next = "whsec_" + Base64.getEncoder().encodeToString("the next secret, also 32 bytes!!".getBytes(StandardCharsets.UTF_8));

        var verdict = hmacOnly(SECRET, next).verify(headers("msg_2", NOW, v1(next, "msg_2", NOW, BODY)), BODY, NOW);

        assertThat(((WebhookSignature.Verified) verdict).how()).isEqualTo("v1, secret 2 of 2");
    }

    @Test
    void refusesATamperedBodyAWrongSecretAStaleOrFutureTimestampAndMissingHeaders() {
        var signature = hmacOnly(SECRET);
        byte[] tampered = "{\"id\":\"pred-1\",\"status\":\"failed\"}".getBytes(StandardCharsets.UTF_8);
        String other = "whsec_" + Base64.getEncoder().encodeToString("someone else's secret, 32 bytes!".getBytes(StandardCharsets.UTF_8));

        assertThat(signature.verify(headers("m", NOW, v1(SECRET, "m", NOW, BODY)), tampered, NOW)).isInstanceOf(WebhookSignature.Rejected.class);
        assertThat(signature.verify(headers("m", NOW, v1(other, "m", NOW, BODY)), BODY, NOW)).isInstanceOf(WebhookSignature.Rejected.class);
        assertThat(signature.verify(headers("m", NOW, v1(SECRET, "other-id", NOW, BODY)), BODY, NOW)).isInstanceOf(WebhookSignature.Rejected.class);
        Instant old = NOW.minus(Duration.ofMinutes(6));
        assertThat(signature.verify(headers("m", old, v1(SECRET, "m", old, BODY)), BODY, NOW))
                .isEqualTo(new WebhookSignature.Rejected("webhook-timestamp is more than 300 s from now"));
        Instant future = NOW.plus(Duration.ofMinutes(6));
        assertThat(signature.verify(headers("m", future, v1(SECRET, "m", future, BODY)), BODY, NOW)).isInstanceOf(WebhookSignature.Rejected.class);
        assertThat(signature.verify(Map.of("webhook-id", "m"), BODY, NOW)).isInstanceOf(WebhookSignature.Rejected.class);
        assertThat(signature.verify(headers("m", NOW, "v1,%%%"), BODY, NOW)).isInstanceOf(WebhookSignature.Rejected.class);
    }

    private static Map<String, String> svix(String id, Instant at, String signature) {
        return Map.of("svix-id", id, "svix-timestamp", Long.toString(at.getEpochSecond()), "svix-signature", signature);
    }

    @Test
    void refusesASvixDeliveryWithATamperedBodyAWrongSecretOrAStaleTimestamp() {
        var signature = hmacOnly(SECRET);
        byte[] tampered = "{\"id\":\"pred-1\",\"status\":\"failed\"}".getBytes(StandardCharsets.UTF_8);
        String other = "whsec_" + Base64.getEncoder().encodeToString("someone else's secret, 32 bytes!".getBytes(StandardCharsets.UTF_8));
        Instant old = NOW.minus(Duration.ofMinutes(6));

        assertThat(signature.verify(svix("m", NOW, v1(SECRET, "m", NOW, BODY)), BODY, NOW)).isInstanceOf(WebhookSignature.Verified.class);
        assertThat(signature.verify(svix("m", NOW, v1(SECRET, "m", NOW, BODY)), tampered, NOW))
                .isEqualTo(new WebhookSignature.Rejected("no signature in svix-signature matches a configured secret or key"));
        assertThat(signature.verify(svix("m", NOW, v1(other, "m", NOW, BODY)), BODY, NOW)).isInstanceOf(WebhookSignature.Rejected.class);
        assertThat(signature.verify(svix("m", old, v1(SECRET, "m", old, BODY)), BODY, NOW))
                .isEqualTo(new WebhookSignature.Rejected("svix-timestamp is more than 300 s from now"));
    }

    @Test
    void neverCombinesAnIdOfOneHeaderSetWithASignatureOfTheOther() {
        var signature = hmacOnly(SECRET);
        String forSvixId = v1(SECRET, "msg_svix", NOW, BODY);
        String timestamp = Long.toString(NOW.getEpochSecond());

        var svixIdStandardSignature = signature.verify(Map.of("svix-id", "msg_svix", "svix-timestamp", timestamp,
                "webhook-signature", forSvixId), BODY, NOW);
        var standardIdSvixSignature = signature.verify(Map.of("webhook-id", "msg_svix", "webhook-timestamp", timestamp,
                "svix-signature", forSvixId), BODY, NOW);
        var anotherIdBesideAWholeSvixSet = signature.verify(Map.of("webhook-id", "msg_other", "svix-id", "msg_svix",
                "svix-timestamp", timestamp, "svix-signature", forSvixId), BODY, NOW);

        for (var verdict : List.of(svixIdStandardSignature, standardIdSvixSignature, anotherIdBesideAWholeSvixSet)) {
            assertThat(verdict).isInstanceOfSatisfying(WebhookSignature.Rejected.class, rejected -> assertThat(rejected.reason())
                    .contains("webhook-id, webhook-timestamp and webhook-signature, or Svix's svix-id, svix-timestamp and"
                            + " svix-signature, as one whole set")
                    .contains("never combined"));
        }
        assertThat(((WebhookSignature.Rejected) svixIdStandardSignature).reason()).startsWith("missing webhook-id, webhook-timestamp:");
    }

    @Test
    void aDeliveryWithBothWholeSetsIsJudgedByTheStandardOne() {
        var signature = hmacOnly(SECRET);
        Map<String, String> both = new HashMap<>(headers("msg_standard", NOW, v1(SECRET, "msg_standard", NOW, BODY)));
        both.putAll(svix("msg_svix", NOW, v1(SECRET, "msg_svix", NOW, BODY)));
        Map<String, String> forgedStandardBesideValidSvix = new HashMap<>(both);
        forgedStandardBesideValidSvix.put("webhook-signature", "v1," + Base64.getEncoder().encodeToString(new byte[32]));

        assertThat(signature.verify(both, BODY, NOW)).isEqualTo(new WebhookSignature.Verified("msg_standard", NOW, "v1, secret 1 of 1"));
        assertThat(signature.verify(forgedStandardBesideValidSvix, BODY, NOW))
                .isEqualTo(new WebhookSignature.Rejected("no signature in webhook-signature matches a configured secret or key"));
    }

    @Test
    void aDeliveryWithNeitherSetNamesBoth() {
        assertThat(hmacOnly(SECRET).verify(Map.of("content-type", "application/json"), BODY, NOW)).isEqualTo(new WebhookSignature.Rejected(
                "webhook-id, webhook-timestamp and webhook-signature headers are required (or Svix's svix-id, svix-timestamp and svix-signature)"));
    }

    @Test
    void acceptsAnEd25519SignatureWithAConfiguredPublicKey() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String publicKey = "whpk_" + Base64.getEncoder().encodeToString(raw(pair));
        var signature = new StandardWebhookSignature(List.of(), List.of(publicKey), TOLERANCE);
        byte[] signed = sign(pair, StandardWebhookSignature.signedContent("msg_3", Long.toString(NOW.getEpochSecond()), BODY));

        var verdict = signature.verify(headers("msg_3", NOW, "v1a," + Base64.getEncoder().encodeToString(signed)), BODY, NOW);
        var forged = signature.verify(headers("msg_3", NOW, "v1a," + Base64.getEncoder().encodeToString(signed)),
                "{}".getBytes(StandardCharsets.UTF_8), NOW);

        assertThat(((WebhookSignature.Verified) verdict).how()).isEqualTo("v1a, key 1 of 1");
        assertThat(forged).isInstanceOf(WebhookSignature.Rejected.class);
    }

    @Test
    void verifiesFalsSignatureOverItsOwnHeaders() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        var fal = new FalWebhookSignature(List.of(Base64.getUrlEncoder().withoutPadding().encodeToString(raw(pair))),
                List.of("user-7"), TOLERANCE);
        String timestamp = Long.toString(NOW.getEpochSecond());
        byte[] message = FalWebhookSignature.signedContent("req-1", "user-7", timestamp, BODY);
        Map<String, String> headers = Map.of("x-fal-webhook-request-id", "req-1", "x-fal-webhook-user-id", "user-7",
                "x-fal-webhook-timestamp", timestamp, "x-fal-webhook-signature", HexFormat.of().formatHex(sign(pair, message)));
        Map<String, String> strangers = new java.util.HashMap<>(headers);
        strangers.put("x-fal-webhook-signature", HexFormat.of().formatHex(sign(stranger, message)));

        assertThat(fal.verify(headers, BODY, NOW)).isEqualTo(new WebhookSignature.Verified("req-1", NOW, "fal ed25519, key 1 of 1"));
        assertThat(fal.verify(strangers, BODY, NOW)).isInstanceOf(WebhookSignature.Rejected.class);
        assertThat(fal.verify(headers, "{}".getBytes(StandardCharsets.UTF_8), NOW)).isInstanceOf(WebhookSignature.Rejected.class);
        assertThat(fal.verify(headers, BODY, NOW.plus(Duration.ofMinutes(10)))).isInstanceOf(WebhookSignature.Rejected.class);
    }

    @Test
    void acceptsFalCallbacksOnlyFromTheConfiguredAccounts() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(raw(pair));
        var fal = new FalWebhookSignature(List.of(key), List.of("user-7", "user-8"), TOLERANCE);
        String timestamp = Long.toString(NOW.getEpochSecond());
        Map<String, String> anotherCustomer = Map.of("x-fal-webhook-request-id", "req-2", "x-fal-webhook-user-id", "user-9",
                "x-fal-webhook-timestamp", timestamp, "x-fal-webhook-signature",
                HexFormat.of().formatHex(sign(pair, FalWebhookSignature.signedContent("req-2", "user-9", timestamp, BODY))));
        Map<String, String> secondAccount = Map.of("x-fal-webhook-request-id", "req-3", "x-fal-webhook-user-id", "user-8",
                "x-fal-webhook-timestamp", timestamp, "x-fal-webhook-signature",
                HexFormat.of().formatHex(sign(pair, FalWebhookSignature.signedContent("req-3", "user-8", timestamp, BODY))));

        assertThat(fal.verify(anotherCustomer, BODY, NOW)).isInstanceOfSatisfying(WebhookSignature.Rejected.class,
                rejected -> assertThat(rejected.reason()).contains("X-Fal-Webhook-User-Id"));
        assertThat(fal.verify(secondAccount, BODY, NOW)).isInstanceOf(WebhookSignature.Verified.class);
        assertThatThrownBy(() -> new FalWebhookSignature(List.of(key), List.of(" "), TOLERANCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowed-user-ids");
    }

    /** The 32 raw bytes of an Ed25519 public key: the end of its X.509 encoding. */
    static byte[] raw(KeyPair pair) {
        byte[] encoded = pair.getPublic().getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    static byte[] sign(KeyPair pair, byte[] message) throws Exception {
        Signature ed25519 = Signature.getInstance("Ed25519");
        ed25519.initSign(pair.getPrivate());
        ed25519.update(message);
        return ed25519.sign();
    }
}
