package io.jobpulse.push;

import io.jobpulse.http.Caller;
import reactor.core.publisher.Mono;

import java.util.Optional;

/**
 * Stream tokens as streams use them. A token opens one stream at a time, as often as it is
 * presented before it expires: each connect that presents it takes it, and the stream that held
 * it before ends, on whichever instance serves it. A reconnect (an {@code EventSource}'s own,
 * after a cut) so replaces a connection that may not have noticed its end yet, and a leaked
 * token never adds a second stream beside its owner's.
 */
public interface StreamTokenUses {

    /** Takes a token for a new stream or socket renewal: the caller it stands for; empty when it is unknown or expired. */
    Optional<Caller> redeem(String token);

    /**
     * Signals once a newer connect has taken the token that {@code caller} was redeemed from (this
     * very caller, by identity: each redeem returns a caller of its own). Never, for a caller that
     * holds no stream token.
     */
    Mono<String> takenOver(Caller caller);
}
