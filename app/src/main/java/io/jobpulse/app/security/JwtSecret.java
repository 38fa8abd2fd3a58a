package io.jobpulse.app.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.security.token.jwt.signature.SignatureConfiguration;
import io.micronaut.security.token.jwt.signature.secret.SecretSignature;
import io.micronaut.security.token.jwt.signature.secret.SecretSignatureConfiguration;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * JWTs signed with a shared secret (HS256), {@code jobpulse.security.jwt-secret}
 * ({@code JOBPULSE_JWT_SECRET}, at least 32 bytes): what {@code ./jobpulse dev} uses, and a
 * simple choice for one trusted issuer. In production an identity provider's keys are usually
 * configured instead, through Micronaut Security's JWKS settings (docs/security.md).
 */
@Factory
public class JwtSecret {

    static final String PROPERTY = "jobpulse.security.jwt-secret";

    @Singleton
    @Named("jobpulse-hs256")
    @Requires(property = PROPERTY, pattern = ".+")
    SignatureConfiguration hs256(@Property(name = PROPERTY) String secret) {
        if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalStateException(PROPERTY + " must be at least 32 bytes (256 bits) for HS256");
        }
        SecretSignatureConfiguration config = new SecretSignatureConfiguration("jobpulse-hs256");
        config.setSecret(secret);
        config.setJwsAlgorithm(JWSAlgorithm.HS256);
        return new SecretSignature(config);
    }

    /**
     * A token for a user, signed with the secret; {@code scope} null for a user's usual scopes,
     * {@code issuer} and {@code audience} null to leave them out.
     */
    public static String mint(String secret, String issuer, String audience, String subject, String scope, Duration validFor) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).issuer(issuer).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(validFor)));
        if (audience != null) {
            claims.audience(audience);
        }
        if (scope != null) {
            claims.claim("scope", scope);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
