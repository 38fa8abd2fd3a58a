package io.jobpulse.push;

import io.jobpulse.http.Caller;
import io.jobpulse.http.ProblemException;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stream credential's life, as both transports follow it: notice, then the end at expiry; the end
 * once a key is revoked; nothing for a credential that neither expires nor can be revoked; and
 * renewal only by a token of the same owner that covers at least the same jobs.
 */
class CredentialLifetimesTest {

    private static final PushConfiguration CONFIG = new PushConfiguration(Duration.ofSeconds(15), Duration.ofSeconds(2), 256, Duration.ofMillis(250), 10_000,
            Duration.ofSeconds(10), 20, 100, Duration.ofMillis(200), 32L << 20, 20, 40, 10, 100_000, true);

    private final AtomicBoolean keyLive = new AtomicBoolean(true);
    private final CredentialStatus keys = new CredentialStatus() {
        @Override
        public Optional<Duration> recheckEvery(Caller caller) {
            return caller.source().kind().equals("service") ? Optional.of(Duration.ofMillis(50)) : Optional.empty();
        }

        @Override
        public boolean isLive(Caller caller) {
            return keyLive.get();
        }
    };
    private final Map<String, Caller> tokens = Map.of(
            "all-of-alices", Caller.stream("t1", "alice", Set.of(), Instant.now().plusSeconds(120)),
            "one-of-alices", Caller.stream("t2", "alice", Set.of("job-1"), Instant.now().plusSeconds(120)),
            "bobs", Caller.stream("t3", "bob", Set.of(), Instant.now().plusSeconds(120)));
    private final Sinks.One<String> takenOver = Sinks.one();
    private final StreamTokenUses uses = new StreamTokenUses() {
        @Override
        public Optional<Caller> redeem(String token) {
            return Optional.ofNullable(tokens.get(token));
        }

        @Override
        public Mono<String> takenOver(Caller caller) {
            return caller.isStreamToken() ? takenOver.asMono() : Mono.never();
        }
    };
    private final CredentialLifetimes lifetimes = new CredentialLifetimes(keys, uses, CONFIG);

    @Test
    void anExpiringCredentialGivesNoticeThenEndsAtItsExpiry() {
        Caller user = Caller.user("alice", EnumSet.of(Caller.Scope.READ), Instant.now().plusMillis(500));
        List<CredentialLifetimes.Moment> moments = lifetimes.of(user).collectList().block(Duration.ofSeconds(5));
        assertThat(moments).containsExactly(new CredentialLifetimes.Expiring(user.expiresAt()),
                new CredentialLifetimes.Ended(CredentialLifetimes.TOKEN_EXPIRED));
    }

    @Test
    void aWatchGivesTheSameMomentsWithOneTimerAtATime() throws InterruptedException {
        Caller user = Caller.user("alice", EnumSet.of(Caller.Scope.READ), Instant.now().plusMillis(500));
        BlockingQueue<CredentialLifetimes.Moment> moments = new LinkedBlockingQueue<>();
        Disposable watch = lifetimes.watch(user, moments::add);
        assertThat(moments.poll(5, TimeUnit.SECONDS)).isEqualTo(new CredentialLifetimes.Expiring(user.expiresAt()));
        assertThat(moments.poll(5, TimeUnit.SECONDS)).isEqualTo(new CredentialLifetimes.Ended(CredentialLifetimes.TOKEN_EXPIRED));
        watch.dispose();

        Caller service = Caller.service("k1", "alice", EnumSet.of(Caller.Scope.READ));
        keyLive.set(false);
        lifetimes.watch(service, moments::add);
        assertThat(moments.poll(5, TimeUnit.SECONDS)).isEqualTo(new CredentialLifetimes.Ended(CredentialLifetimes.CREDENTIAL_REVOKED));
    }

    @Test
    void aDisposedWatchSaysNothingMore() throws InterruptedException {
        Caller user = Caller.user("alice", EnumSet.of(Caller.Scope.READ), Instant.now().plusMillis(300));
        BlockingQueue<CredentialLifetimes.Moment> moments = new LinkedBlockingQueue<>();
        lifetimes.watch(user, moments::add).dispose();
        assertThat(moments.poll(600, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aStreamTokenCredentialEndsOnceANewerConnectTakesTheToken() {
        Caller stream = tokens.get("all-of-alices");
        takenOver.tryEmitValue("newer");
        assertThat(lifetimes.of(stream).collectList().block(Duration.ofSeconds(5)))
                .containsExactly(new CredentialLifetimes.Ended(CredentialLifetimes.TOKEN_TAKEN_OVER));
    }

    @Test
    void aKeysCredentialEndsOnceTheKeyIsRevoked() {
        Caller service = Caller.service("k1", "alice", EnumSet.of(Caller.Scope.READ));
        keyLive.set(false);
        assertThat(lifetimes.of(service).collectList().block(Duration.ofSeconds(5)))
                .containsExactly(new CredentialLifetimes.Ended(CredentialLifetimes.CREDENTIAL_REVOKED));
    }

    @Test
    void aCredentialThatNeitherExpiresNorCanBeRevokedHasNoMoments() {
        Caller user = Caller.user("alice", EnumSet.of(Caller.Scope.READ), null);
        assertThat(lifetimes.of(user).take(Duration.ofMillis(300)).collectList().block(Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void aLateSubscriberSeesTheMomentsItMissed() {
        Caller user = Caller.user("alice", EnumSet.of(Caller.Scope.READ), Instant.now().plusMillis(100));
        var life = lifetimes.of(user);
        var first = life.collectList().toFuture();
        assertThat(life.collectList().block(Duration.ofSeconds(5))).hasSize(2);
        assertThat(first.join()).hasSize(2);
    }

    @Test
    void aSocketIsRenewedOnlyByATokenOfTheSameOwnerCoveringItsJobs() {
        Caller alicesToken = Caller.stream("t0", "alice", Set.of("job-1"), Instant.now().plusSeconds(10));
        assertThat(lifetimes.renew(alicesToken, "all-of-alices").source().id()).isEqualTo("t1");
        assertThat(lifetimes.renew(alicesToken, "one-of-alices").source().id()).isEqualTo("t2");
        assertThatThrownBy(() -> lifetimes.renew(alicesToken, "bobs")).isInstanceOf(ProblemException.class)
                .hasMessageContaining("same owner");
        assertThatThrownBy(() -> lifetimes.renew(alicesToken, "unknown")).isInstanceOf(ProblemException.class)
                .hasMessageContaining("not accepted");
        Caller alicesJwt = Caller.user("alice", EnumSet.of(Caller.Scope.READ), Instant.now().plusSeconds(10));
        assertThat(lifetimes.renew(alicesJwt, "all-of-alices").owner()).isEqualTo("alice");
        assertThatThrownBy(() -> lifetimes.renew(alicesJwt, "one-of-alices")).as("covers fewer jobs than the JWT")
                .isInstanceOf(ProblemException.class);
        Caller key = Caller.service("k1", "alice", EnumSet.of(Caller.Scope.READ));
        assertThatThrownBy(() -> lifetimes.renew(key, "all-of-alices")).hasMessageContaining("needs no renewal");
    }
}
