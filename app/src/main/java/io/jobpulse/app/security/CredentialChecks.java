package io.jobpulse.app.security;

import io.jobpulse.events.EventSource;
import io.jobpulse.http.Caller;
import io.jobpulse.push.CredentialStatus;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Optional;

/**
 * How long the streams of each kind of credential may stay open: an API key's are checked again
 * every {@code jobpulse.security.key-cache} and end once it is revoked; JWTs and stream tokens
 * end at their expiry, which the caller carries.
 */
@Singleton
class CredentialChecks implements CredentialStatus {

    private final ApiKeys keys;
    private final SecurityConfiguration config;

    CredentialChecks(ApiKeys keys, SecurityConfiguration config) {
        this.keys = keys;
        this.config = config;
    }

    @Override
    public Optional<Duration> recheckEvery(Caller caller) {
        return isKey(caller.source()) ? Optional.of(config.keyCache()) : Optional.empty();
    }

    @Override
    public boolean isLive(Caller caller) {
        return !isKey(caller.source()) || keys.isLive(caller.source().id());
    }

    private static boolean isKey(EventSource source) {
        return EventSource.SERVICE.equals(source.kind());
    }
}
