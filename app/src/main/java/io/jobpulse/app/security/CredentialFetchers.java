package io.jobpulse.app.security;

import io.jobpulse.events.Caller;
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
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Jobpulse's own credentials, beside the JWTs that Micronaut Security checks: API keys
 * ({@code Authorization: Bearer jp_...}) on every endpoint, and stream tokens ({@code ?token=jst_...},
 * because EventSource cannot set headers) on the stream endpoints only. Both are looked up in
 * PostgreSQL off the event loop. The authentication carries the {@link Caller}.
 */
final class CredentialFetchers {

    /** The endpoints a stream token opens: SSE streams and the WebSocket. */
    static final Pattern STREAM_PATHS = Pattern.compile("/v1/stream|/v1/jobs/[^/]+/stream|/v1/ws");

    private CredentialFetchers() {
    }

    static Authentication authentication(Caller caller) {
        return Authentication.build(caller.source().kind() + ":" + caller.source().id(),
                caller.scopes().stream().map(Caller.Scope::wireName).toList(), Map.of(Caller.ATTRIBUTE, caller));
    }

    private static Publisher<Authentication> lookUp(Scheduler scheduler, Supplier<Optional<Caller>> lookUp) {
        return Mono.fromCallable(() -> lookUp.get().map(CredentialFetchers::authentication).orElse(null)).subscribeOn(scheduler);
    }

    /** {@code Authorization: Bearer jp_...}. */
    @Singleton
    static class ApiKeyFetcher implements AuthenticationFetcher<HttpRequest<?>> {

        private final ApiKeys keys;
        private final Scheduler scheduler;

        ApiKeyFetcher(ApiKeys keys, @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
            this.keys = keys;
            this.scheduler = Schedulers.fromExecutorService(blocking);
        }

        @Override
        public Publisher<Authentication> fetchAuthentication(HttpRequest<?> request) {
            String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
            if (header == null || !header.startsWith("Bearer " + ApiKeys.PREFIX + "_")) {
                return Mono.empty();
            }
            String key = header.substring("Bearer ".length()).strip();
            return lookUp(scheduler, () -> keys.verify(key));
        }
    }

    /** {@code ?token=jst_...} on a stream endpoint. */
    @Singleton
    static class StreamTokenFetcher implements AuthenticationFetcher<HttpRequest<?>> {

        private final StreamTokens tokens;
        private final Scheduler scheduler;

        StreamTokenFetcher(StreamTokens tokens, @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
            this.tokens = tokens;
            this.scheduler = Schedulers.fromExecutorService(blocking);
        }

        @Override
        public Publisher<Authentication> fetchAuthentication(HttpRequest<?> request) {
            Optional<String> token = request.getParameters().getFirst("token");
            if (token.isEmpty() || !STREAM_PATHS.matcher(request.getPath()).matches()) {
                return Mono.empty();
            }
            return lookUp(scheduler, () -> tokens.redeem(token.get()));
        }
    }
}
