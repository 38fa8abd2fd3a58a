package io.jobpulse.app.security;

import io.jobpulse.http.Caller;
import io.jobpulse.http.Routes;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.filters.AuthenticationFetcher;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;

/**
 * Jobpulse's own credentials, beside the JWTs that Micronaut Security checks: API keys
 * ({@code Authorization: Bearer jp_...}) on every endpoint, and stream tokens ({@code ?token=jst_...},
 * because EventSource cannot set headers) on the stream endpoints only. Both are looked up in
 * PostgreSQL off the event loop. Other instances' reads of one job carry a peer credential
 * ({@link PeerCallers}). The authentication carries the {@link Caller}.
 */
final class CredentialFetchers {

    /** The endpoints a stream token opens: SSE streams (a job's, a batch's, the owner's) and the WebSocket. */
    static final Pattern STREAM_PATHS = Routes.pattern(Routes.JOB_STREAM, Routes.BATCH_STREAM, Routes.STREAM, Routes.SOCKET);

    private CredentialFetchers() {
    }

    static Authentication authentication(Caller caller) {
        return Authentication.build(caller.source().key(),
                caller.scopes().stream().map(Caller.Scope::wireName).toList(), Map.of(Caller.ATTRIBUTE, caller));
    }

    /** A credential read from the request, if it carries one of this kind, and looked up off the event loop. */
    private abstract static class Fetcher implements AuthenticationFetcher<HttpRequest<?>> {

        private final Scheduler scheduler;

        Fetcher(ExecutorService blocking) {
            this.scheduler = Schedulers.fromExecutorService(blocking);
        }

        abstract Optional<String> credential(HttpRequest<?> request);

        abstract Optional<Caller> lookUp(HttpRequest<?> request, String credential);

        @Override
        public Publisher<Authentication> fetchAuthentication(HttpRequest<?> request) {
            return credential(request)
                    .map(credential -> Mono.fromCallable(() -> lookUp(request, credential).map(CredentialFetchers::authentication).orElse(null))
                            .subscribeOn(scheduler))
                    .orElseGet(Mono::empty);
        }
    }

    /** {@code Authorization: Bearer jp_...}. */
    @Singleton
    static class ApiKeyFetcher extends Fetcher {

        private final ApiKeys keys;

        ApiKeyFetcher(ApiKeys keys, @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
            super(blocking);
            this.keys = keys;
        }

        @Override
        Optional<String> credential(HttpRequest<?> request) {
            String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
            return header != null && header.startsWith("Bearer " + ApiKeys.PREFIX + "_")
                    ? Optional.of(header.substring("Bearer ".length()).strip()) : Optional.empty();
        }

        @Override
        Optional<Caller> lookUp(HttpRequest<?> request, String key) {
            return keys.verify(key);
        }
    }

    /** {@code Authorization: Bearer jpi_...}: another instance reading one job ({@link PeerCallers}); no lookup. */
    @Singleton
    static class PeerFetcher implements AuthenticationFetcher<HttpRequest<?>> {

        private final PeerCallers peers;

        PeerFetcher(PeerCallers peers) {
            this.peers = peers;
        }

        @Override
        public Publisher<Authentication> fetchAuthentication(HttpRequest<?> request) {
            return Mono.justOrEmpty(peers.verify(request).map(CredentialFetchers::authentication));
        }
    }

    /** {@code ?token=jst_...} on a stream endpoint. */
    @Singleton
    static class StreamTokenFetcher extends Fetcher {

        private final StreamTokens tokens;

        StreamTokenFetcher(StreamTokens tokens, @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
            super(blocking);
            this.tokens = tokens;
        }

        @Override
        Optional<String> credential(HttpRequest<?> request) {
            return STREAM_PATHS.matcher(request.getPath()).matches() ? request.getParameters().getFirst("token") : Optional.empty();
        }

        @Override
        Optional<Caller> lookUp(HttpRequest<?> request, String token) {
            // A one-job stream redeems only a token that covers its job, so a wrong job does not spend the token. A batch
            // stream is taken only by a token for all of its owner's jobs: the batch id is no job a scoped token names.
            String path = request.getPath();
            return tokens.redeem(token, Routes.variable(Routes.JOB_STREAM, path)
                    .or(() -> Routes.variable(Routes.BATCH_STREAM, path)).orElse(null));
        }
    }
}
