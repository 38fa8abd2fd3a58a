package io.jobpulse.app.security;

import io.jobpulse.events.TokenBucket;
import io.jobpulse.http.Caller;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.FilterContinuation;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Limits every request before it costs anything: a body larger than its endpoint allows is
 * {@code 413}; more requests than a client address, or a user or API key, may make is {@code 429}
 * with {@code Retry-After}. Both problem+json. The counts are per instance, in tables of bounded
 * size ({@link RateTable}). The client address is the TCP peer, or behind trusted proxies the
 * entry of {@code X-Forwarded-For} they wrote ({@link ClientAddress}).
 */
@Singleton
public class RequestLimits {

    private final LimitsConfiguration config;
    private final Clock clock = Clock.systemUTC();
    private final RateTable byAddress;
    private final RateTable byCaller;

    public RequestLimits(LimitsConfiguration config) {
        this.config = config;
        this.byAddress = new RateTable(config.rateTableSize(), config.perIpPerSecond(), config.perIpBurst());
        this.byCaller = new RateTable(config.rateTableSize(), config.perCallerPerSecond(), config.perCallerBurst());
    }

    /** How many client addresses this instance keeps a rate for: at most {@code jobpulse.limits.rate-table-size}. */
    public int addressesTracked() {
        return byAddress.size();
    }

    /** Before authentication: the body's size and the client address's rate. */
    @ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
    static class BeforeAuthentication implements Ordered {

        private final RequestLimits limits;
        private final PeerCallers peers;

        BeforeAuthentication(RequestLimits limits, PeerCallers peers) {
            this.limits = limits;
            this.peers = peers;
        }

        @RequestFilter
        public Publisher<MutableHttpResponse<?>> check(HttpRequest<?> request, FilterContinuation<Publisher<MutableHttpResponse<?>>> next) {
            MutableHttpResponse<?> limited = PeerCallers.claims(request) && peers.verify(request).isPresent() ? null
                    : limits.take(limits.byAddress, limits.address(request), "this client address");
            if (limited != null) {
                return Mono.just(limited);
            }
            long length = request.getContentLength();
            int allowed = limits.bodyLimit(request);
            if (length <= allowed) {
                return next.proceed();
            }
            // Answered before the body is read, on a connection that then closes: the lingering close
            // (LingeringClose) drains what the client still sends, so the answer is not lost in a reset.
            return Mono.just(HttpResponse.status(HttpStatus.REQUEST_ENTITY_TOO_LARGE).contentType(Problem.MEDIA_TYPE)
                    .header(HttpHeaders.CONNECTION, "close")
                    .body(Problem.of(ProblemType.PAYLOAD_TOO_LARGE, "This endpoint takes bodies of at most " + allowed
                            + " bytes; this one has " + length + ".").with("limit", allowed)));
        }

        @Override
        public int getOrder() {
            return ServerFilterPhase.SECURITY.before();
        }
    }

    /** After authentication: the caller's rate. */
    @ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
    static class AfterAuthentication implements Ordered {

        private final RequestLimits limits;

        AfterAuthentication(RequestLimits limits) {
            this.limits = limits;
        }

        @RequestFilter
        @Nullable
        public HttpResponse<Problem> check(HttpRequest<?> request) {
            Caller caller = request.getAttribute(Caller.ATTRIBUTE, Caller.class).orElse(null);
            if (caller == null || caller.isPeer()) {
                return null;
            }
            String key = caller.source().key();
            return limits.take(limits.byCaller, key, "this credential");
        }

        @Override
        public int getOrder() {
            // After CallerFilter, which runs at SECURITY.after().
            return ServerFilterPhase.SECURITY.after() + 1;
        }
    }

    int bodyLimit(HttpRequest<?> request) {
        String path = request.getPath();
        if (request.getMethod() != HttpMethod.POST && request.getMethod() != HttpMethod.PUT) {
            return config.otherBody();
        }
        if (WEBHOOK.matcher(path).matches()) {
            return config.webhookBody();
        }
        if (SUBMIT.matcher(path).matches()) {
            return config.submitBody();
        }
        if (BATCH.matcher(path).matches()) {
            return config.batchBody();
        }
        if (REPORT.matcher(path).matches()) {
            return config.reportBody();
        }
        return config.otherBody();
    }

    private static final Pattern WEBHOOK = Routes.pattern(Routes.WEBHOOKS + Routes.WEBHOOK);
    private static final Pattern SUBMIT = Routes.pattern(Routes.JOBS);
    private static final Pattern BATCH = Routes.pattern(Routes.BATCHES, Routes.BATCHES + Routes.BATCH_JOBS);
    private static final Pattern REPORT = Routes.pattern(Routes.JOBS + Routes.JOB_REPORTS);

    String address(HttpRequest<?> request) {
        String peer = request.getRemoteAddress().getAddress().getHostAddress();
        List<String> forwardedFor = config.forwardedForHops() > 0 ? request.getHeaders().getAll("X-Forwarded-For") : List.of();
        return ClientAddress.of(peer, forwardedFor, config.forwardedForHops());
    }

    private MutableHttpResponse<Problem> take(RateTable table, String key, String who) {
        Instant now = clock.instant();
        TokenBucket bucket = table.bucket(key, now);
        double perSecond = table.perSecond();
        if (bucket.tryAcquire(now)) {
            return null;
        }
        Duration wait = bucket.untilNext(now);
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return HttpResponse.<Problem>status(HttpStatus.TOO_MANY_REQUESTS).contentType(Problem.MEDIA_TYPE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .body(Problem.of(ProblemType.RATE_LIMITED, "Too many requests from " + who + " (at most " + perSecond
                        + " per second). Retry after " + seconds + " s."));
    }

    /** Forgets the buckets of clients that have been quiet long enough to have a full one. */
    @Scheduled(fixedDelay = "1m")
    void forgetQuiet() {
        Instant now = clock.instant();
        byAddress.forgetFull(now);
        byCaller.forgetFull(now);
    }
}
