package io.jobpulse.app.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * Settings of authentication ({@code jobpulse.security.*}).
 *
 * @param keyCache        how long a verified API key is trusted without asking PostgreSQL again (a
 *                        revocation takes effect within it, and streams opened with the key end within it)
 * @param streamTokenTtl  how long a stream token may be used to connect, and how long the stream it opens lives
 * @param jwtIssuer       the {@code iss} every JWT must carry, or null not to check it (start-up warns)
 * @param jwtAudience     a value the {@code aud} of every JWT must contain, or null not to check it (start-up warns)
 */
@ConfigurationProperties("jobpulse.security")
public record SecurityConfiguration(
        @Bindable(defaultValue = "30s") Duration keyCache,
        @Bindable(defaultValue = "2m") Duration streamTokenTtl,
        @Nullable String jwtIssuer,
        @Nullable String jwtAudience) {

    public SecurityConfiguration {
        jwtIssuer = jwtIssuer == null || jwtIssuer.isBlank() ? null : jwtIssuer;
        jwtAudience = jwtAudience == null || jwtAudience.isBlank() ? null : jwtAudience;
    }
}
