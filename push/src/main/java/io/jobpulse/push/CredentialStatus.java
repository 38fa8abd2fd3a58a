package io.jobpulse.push;

import io.jobpulse.http.Caller;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.Optional;

/**
 * Whether the credential an open stream or socket was opened with still stands. A credential
 * with an end ({@link Caller#expiresAt()}: a stream token's or a JWT's) ends its streams then; one
 * that can be revoked (an API key) is asked again at an interval, and its streams end once it is
 * revoked.
 */
public interface CredentialStatus {

    /** How often a stream of this caller asks again whether its credential stands; empty for never. */
    Optional<Duration> recheckEvery(Caller caller);

    /** Whether the caller's credential still stands (a blocking look-up). */
    boolean isLive(Caller caller);

    /** Signals once the caller's credential no longer stands, asking again at the interval its kind wants. */
    default Mono<Long> revoked(Caller caller) {
        return recheckEvery(caller)
                .map(every -> Flux.interval(every, every)
                        .publishOn(Schedulers.boundedElastic())
                        .filter(tick -> !isLive(caller))
                        .next())
                .orElse(Mono.never());
    }
}
