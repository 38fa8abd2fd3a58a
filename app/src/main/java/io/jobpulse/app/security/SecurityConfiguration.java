package io.jobpulse.app.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * Settings of authentication ({@code jobpulse.security.*}).
 *
 * @param keyCache        how long a verified API key is trusted without asking PostgreSQL again (a
 *                        revocation takes effect within it)
 * @param streamTokenTtl  how long a stream token may be used to connect, and how long the stream it opens lives
 */
@ConfigurationProperties("jobpulse.security")
public record SecurityConfiguration(
        @Bindable(defaultValue = "30s") Duration keyCache,
        @Bindable(defaultValue = "2m") Duration streamTokenTtl) {
}
