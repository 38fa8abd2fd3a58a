package io.jobpulse.push;

import io.jobpulse.http.Caller;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import jakarta.inject.Singleton;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The life of the credential a stream or socket was opened with, the same for both transports: a
 * credential that expires (a stream token, a JWT) gives notice {@code jobpulse.push.token-expiring-notice}
 * before its end and ends at its expiry; one that can be revoked (an API key) ends once it is
 * revoked ({@link CredentialStatus}); a stream token ends its stream once a newer connect takes it
 * ({@link StreamTokenUses}). A socket's credential may be renewed in place by a fresh stream token
 * of the same owner covering at least the same jobs.
 */
@Singleton
public class CredentialLifetimes {

    /** What happens to a credential while a stream lasts. */
    public sealed interface Moment permits Expiring, Ended {
    }

    /** The credential ends at {@code expiresAt}: renew it before then. */
    public record Expiring(Instant expiresAt) implements Moment {
    }

    /** The credential no longer stands: {@code token-expired}, {@code credential-revoked} or {@code token-taken-over}. */
    public record Ended(String reason) implements Moment {
    }

    static final String TOKEN_EXPIRED = "token-expired";
    static final String CREDENTIAL_REVOKED = "credential-revoked";
    static final String TOKEN_TAKEN_OVER = "token-taken-over";

    private final CredentialStatus credentials;
    private final StreamTokenUses tokens;
    private final PushConfiguration config;

    public CredentialLifetimes(CredentialStatus credentials, StreamTokenUses tokens, PushConfiguration config) {
        this.credentials = credentials;
        this.tokens = tokens;
        this.config = config;
    }

    /**
     * The credential's moments from now on: at most one {@link Expiring}, then one {@link Ended} (and
     * the end of the flux); for a credential that neither expires nor can be revoked, nothing ever
     * (a flux that does not complete, so that a stream ended "when the credential ends" goes on).
     * Subscribers may join late: the moments are replayed to them.
     */
    public Flux<Moment> of(Caller caller) {
        Flux<Moment> ended = Flux.merge(
                credentials.revoked(caller).map(tick -> new Ended(CREDENTIAL_REVOKED)),
                tokens.takenOver(caller).map(newer -> new Ended(TOKEN_TAKEN_OVER)));
        Flux<Moment> moments = ended;
        if (caller.expiresAt() != null) {
            Duration left = Duration.between(Instant.now(), caller.expiresAt());
            Duration notice = left.minus(config.tokenExpiringNotice());
            moments = Flux.merge(
                    Mono.delay(notice.isNegative() ? Duration.ZERO : notice).map(tick -> new Expiring(caller.expiresAt())),
                    Mono.delay(left.isNegative() ? Duration.ZERO : left).map(tick -> new Ended(TOKEN_EXPIRED)),
                    ended);
        }
        return moments.takeUntil(moment -> moment instanceof Ended).replay().refCount();
    }

    /**
     * Watches the caller's credential as {@link #of} describes, calling {@code onMoment} for each
     * moment, with what one connection can afford by the thousand: at most one timer at a time for
     * the expiry (the notice's, then the end's), and the revocation and take-over checks only as
     * the credential's kind needs them. Dispose of the result when the connection ends.
     */
    public Disposable watch(Caller caller, Consumer<Moment> onMoment) {
        Disposable.Composite watches = Disposables.composite(
                credentials.revoked(caller).subscribe(tick -> onMoment.accept(new Ended(CREDENTIAL_REVOKED))),
                tokens.takenOver(caller).subscribe(newer -> onMoment.accept(new Ended(TOKEN_TAKEN_OVER))));
        Instant expiresAt = caller.expiresAt();
        if (expiresAt != null) {
            Duration notice = Duration.between(Instant.now(), expiresAt).minus(config.tokenExpiringNotice());
            // Added once disposed, a timer is disposed at once: a notice that fires as the connection ends starts nothing.
            watches.add(later(notice, () -> {
                onMoment.accept(new Expiring(expiresAt));
                watches.add(later(Duration.between(Instant.now(), expiresAt), () -> onMoment.accept(new Ended(TOKEN_EXPIRED))));
            }));
        }
        return watches;
    }

    private static Disposable later(Duration delay, Runnable task) {
        return Schedulers.parallel().schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** A fresh stream token for the same owner, covering at least the jobs of the credential it replaces, as a caller. */
    public Caller renew(Caller current, String token) {
        if (current.expiresAt() == null) {
            throw SubscriptionRequests.invalid("type", "Only a socket opened with a stream token or a JWT expires; this one needs no renewal.");
        }
        Caller fresh = tokens.redeem(token).orElseThrow(() -> new ProblemException(ProblemType.UNAUTHORIZED,
                "The token was not accepted: unknown or expired. Ask for a fresh one (POST /v1/stream-tokens)."));
        Set<String> currentJobs = SubscriptionRequests.tokenJobs(current);
        boolean covers = Objects.equals(fresh.owner(), current.owner())
                && (fresh.tokenJobs().isEmpty() || (!currentJobs.isEmpty() && fresh.tokenJobs().containsAll(currentJobs)));
        if (!covers) {
            throw new ProblemException(Problem.of(ProblemType.FORBIDDEN,
                    "A renewal token must be for the same owner and cover at least the same jobs.").with("field", "token"));
        }
        return fresh;
    }
}
