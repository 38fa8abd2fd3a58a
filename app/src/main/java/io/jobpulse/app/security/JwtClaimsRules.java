package io.jobpulse.app.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.token.Claims;
import io.micronaut.security.token.jwt.validator.GenericJwtClaimsValidator;
import jakarta.inject.Singleton;

import java.util.Collection;
import java.util.List;

/**
 * What every JWT must say, beside its signature, which Micronaut Security checks: an expiry
 * ({@code exp}; a token without one would never end), and the configured issuer and audience
 * when they are set ({@code jobpulse.security.jwt-issuer}, {@code jwt-audience}), so that a token
 * an identity provider minted for another application is not taken here. Micronaut's own
 * validators refuse an expired token; this one refuses a token that cannot expire.
 */
@Singleton
public class JwtClaimsRules<T> implements GenericJwtClaimsValidator<T> {

    private final SecurityConfiguration config;

    public JwtClaimsRules(SecurityConfiguration config) {
        this.config = config;
    }

    @Override
    public boolean validate(Claims claims, @Nullable T request) {
        return claims.get(Claims.EXPIRATION_TIME) != null
                && (config.jwtIssuer() == null || config.jwtIssuer().equals(String.valueOf(claims.get(Claims.ISSUER))))
                && (config.jwtAudience() == null || audiences(claims.get(Claims.AUDIENCE)).contains(config.jwtAudience()));
    }

    private static Collection<?> audiences(Object claim) {
        if (claim instanceof Collection<?> many) {
            return many;
        }
        return claim == null ? List.of() : List.of(claim.toString());
    }
}
