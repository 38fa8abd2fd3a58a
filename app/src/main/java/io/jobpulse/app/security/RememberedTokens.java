package io.jobpulse.app.security;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.util.HttpHostResolver;
import io.micronaut.http.server.util.locale.HttpLocaleResolver;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.event.TokenValidatedEvent;
import io.micronaut.security.token.TokenAuthenticationFetcher;
import io.micronaut.security.token.reader.TokenResolver;
import io.micronaut.security.token.validator.TokenValidator;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Micronaut Security's bearer-token authentication, remembering each JWT it verified: a worker
 * sends the same token with every report, and parsing it, checking its HMAC and its claims again
 * each time was a tenth of the intake's CPU. A token is remembered until it expires, and at most
 * {@link #REMEMBER}; only tokens that passed every check are, so a forged or altered token (a
 * different string) is always checked in full. What a JWT says cannot change (it is signed), and
 * a JWT cannot be revoked, only expire: remembering it changes no decision. API keys, stream tokens
 * and peer credentials have their own fetchers and are not seen here.
 */
@Singleton
@Replaces(TokenAuthenticationFetcher.class)
class RememberedTokens extends TokenAuthenticationFetcher {

    /** The longest a verified token is remembered, expiry permitting. */
    static final Duration REMEMBER = Duration.ofMinutes(5);
    /** The most tokens remembered; past it the memory starts over. */
    static final int MAX_TOKENS = 10_000;

    private record Remembered(Authentication authentication, Instant until) {
    }

    private final TokenResolver<HttpRequest<?>> tokens;
    private final Map<String, Remembered> verified = new ConcurrentHashMap<>();

    RememberedTokens(List<TokenValidator<HttpRequest<?>>> validators, TokenResolver<HttpRequest<?>> tokens,
                     ApplicationEventPublisher<TokenValidatedEvent> events, HttpHostResolver hosts, HttpLocaleResolver locales) {
        super(validators, tokens, events, hosts, locales);
        this.tokens = tokens;
    }

    @Override
    public Publisher<Authentication> fetchAuthentication(HttpRequest<?> request) {
        Optional<String> token = tokens.resolveToken(request);
        if (token.isEmpty()) {
            return super.fetchAuthentication(request);
        }
        Instant now = Instant.now();
        Remembered remembered = verified.get(token.get());
        if (remembered != null && now.isBefore(remembered.until())) {
            return Mono.just(remembered.authentication());
        }
        return Mono.from(super.fetchAuthentication(request)).doOnNext(authentication -> remember(token.get(), authentication, now));
    }

    private void remember(String token, Authentication authentication, Instant now) {
        Instant expiry = CallerFilter.expiry(authentication.getAttributes().get("exp"));
        if (expiry == null) {
            return;
        }
        if (verified.size() >= MAX_TOKENS) {
            verified.clear();
        }
        Instant limit = now.plus(REMEMBER);
        verified.put(token, new Remembered(authentication, expiry.isBefore(limit) ? expiry : limit));
    }
}
