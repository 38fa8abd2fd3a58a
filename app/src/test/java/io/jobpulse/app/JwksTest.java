package io.jobpulse.app;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Production-style users: an identity provider publishes its keys as a JWKS and signs RS256
 * tokens; Jobpulse, configured with the JWKS URL only (no shared secret), accepts its tokens and
 * refuses one signed by another key.
 */
class JwksTest {

    private static final String IDP = "https://idp.test";

    @Test
    void tokensOfTheIdentityProvidersKeysAreAcceptedAndOthersRefused() throws Exception {
        RSAKey idpKey = new RSAKeyGenerator(2048).keyID("idp-1").generate();
        RSAKey strangerKey = new RSAKeyGenerator(2048).keyID("idp-1").generate();
        byte[] jwks = new JWKSet(idpKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        HttpServer idp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        idp.createContext("/.well-known/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        idp.start();
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.security.jwt-secret", "",
                "jobpulse.security.jwt-issuer", IDP,
                "micronaut.security.token.jwt.signatures.jwks.idp.url",
                "http://127.0.0.1:" + idp.getAddress().getPort() + "/.well-known/jwks.json"))) {
            var accepted = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs")).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token(idpKey, "dana"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"x.jwks\"}")));
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String job = json(accepted).get("id").asText();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> jobpulse.send(
                    HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + job)).header("Authorization", "Bearer " + token(idpKey, "dana")))
                    .statusCode() == 200);

            var forged = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + job))
                    .header("Authorization", "Bearer " + token(strangerKey, "dana")));
            assertThat(forged.statusCode()).isEqualTo(401);
            var hs256 = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + job))
                    .header("Authorization", "Bearer " + JobpulseInstance.token("dana")));
            assertThat(hs256.statusCode()).as("no shared secret is configured").isEqualTo(401);
            String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                    + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"sub\":\"dana\",\"iss\":\"" + IDP
                    + "\",\"aud\":\"jobpulse\",\"exp\":" + Instant.now().plusSeconds(600).getEpochSecond() + "}")
                    .getBytes(StandardCharsets.UTF_8)) + ".";
            var none = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + job)).header("Authorization", "Bearer " + unsigned));
            assertThat(none.statusCode()).as("alg: none").isEqualTo(401);
        } finally {
            idp.stop(0);
        }
    }

    private static String token(RSAKey key, String subject) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().subject(subject).issuer(IDP).audience(JobpulseInstance.JWT_AUDIENCE)
                        .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
