package io.jobpulse.outbound;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Every request Jobpulse makes on someone's behalf (status polls, provider cancels, outbound webhooks) goes through
 * here, in a client span that the request's {@code traceparent} header names, under one set of rules ({@code jobpulse.outbound.*}, {@link OutboundConfiguration}):
 * <ul>
 *   <li>the URL, in {@link OutboundUrl canonical form}, must match the operator's template it is
 *       sent under ({@link UrlTemplate}), and the canonical form is what is sent (a webhook goes to the
 *       URL its endpoint's owner registered, checked when it was registered);</li>
 *   <li>at the time of each request the host is looked up and <em>every</em> address it has must
 *       be public ({@link AddressClass}) or in {@code allowed-private-networks};</li>
 *   <li>redirects are not followed (a 3xx is an answer like any other);</li>
 *   <li>at most {@code max-response-size} of the answer is read, and the whole exchange, from the
 *       lookup to the last byte, must end within {@code request-timeout}.</li>
 * </ul>
 * A refused request is never sent: {@link Refused} says why. Known limit: the JDK's HTTP client
 * looks the host up again when it connects; it normally answers from the JVM's address cache
 * ({@code networkaddress.cache.ttl}, 30 s), filled by the check a moment before, so a host whose
 * DNS answer changes between the check and the connect is only caught at the next request.
 */
@Singleton
public class OutboundRequests {

    /** Looks a host up: all its addresses. */
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** An answer that was read whole. */
    public record Answer(int status, HttpHeaders headers, byte[] body) {
    }

    /** A request Jobpulse does not make; nothing was sent. */
    public static final class Refused extends RuntimeException {
        public Refused(String reason) {
            super(reason);
        }
    }

    /** An answer longer than {@code max-response-size}; the rest of it was not read. */
    public static final class AnswerTooLarge extends RuntimeException {
        AnswerTooLarge(int limit) {
            super("the answer is longer than " + limit + " bytes (jobpulse.outbound.max-response-size)");
        }
    }

    private final OutboundConfiguration config;
    private final Networks allowed;
    private final Resolver resolver;
    private final HttpClient http;
    private final Tracer tracer;
    private final ExecutorService lookups = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jobpulse-outbound-", 0).factory());

    @Inject
    public OutboundRequests(OutboundConfiguration config, OpenTelemetry telemetry) {
        this(config, InetAddress::getAllByName, telemetry);
    }

    public OutboundRequests(OutboundConfiguration config) {
        this(config, InetAddress::getAllByName);
    }

    public OutboundRequests(OutboundConfiguration config, Resolver resolver) {
        this(config, resolver, OpenTelemetry.noop());
    }

    /** @param telemetry where the requests' client spans go; a noop one still passes the current trace context on */
    public OutboundRequests(OutboundConfiguration config, Resolver resolver, OpenTelemetry telemetry) {
        this.tracer = telemetry.getTracer("io.jobpulse");
        this.config = config;
        try {
            this.allowed = Networks.parse(config.allowedPrivateNetworks());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("jobpulse.outbound.allowed-private-networks: " + e.getMessage(), e);
        }
        this.resolver = resolver;
        this.http = HttpClient.newBuilder().connectTimeout(config.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Looks the URL's host up now and throws {@link Refused} unless every address may be called.
     * Blocking (a DNS lookup).
     */
    public void checkAddresses(OutboundUrl url) {
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(url.hostName());
        } catch (UnknownHostException e) {
            throw new Refused("the host " + url.host() + " could not be looked up");
        }
        if (addresses == null || addresses.length == 0) {
            throw new Refused("the host " + url.host() + " has no address");
        }
        for (InetAddress address : addresses) {
            AddressClass kind = AddressClass.of(address.getAddress());
            if (kind != AddressClass.PUBLIC && !allowed.contains(address.getAddress())) {
                throw new Refused("the host " + url.host() + " resolves to " + kind.description()
                        + ", which Jobpulse does not call unless jobpulse.outbound.allowed-private-networks allows it");
            }
        }
    }

    /**
     * Sends a request under a template's rules. The future fails with {@link Refused} (nothing was
     * sent), {@link AnswerTooLarge}, {@link HttpTimeoutException} or another I/O failure.
     *
     * @param authorization the {@code Authorization} header value, or null
     */
    public CompletableFuture<Answer> send(String method, OutboundUrl url, UrlTemplate allowedBy, String authorization,
                                          Map<String, String> headers) {
        if (!allowedBy.matches(url)) {
            return CompletableFuture.failedFuture(new Refused(url + " is not a URL of " + allowedBy));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(url.toUri()).method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return exchange(method, url, request, config.requestTimeout(), "jobpulse.outbound.request-timeout");
    }

    /**
     * POSTs a body to a URL its owner chose (a webhook endpoint), under the same address, redirect
     * and size rules, within {@code timeout}; no template applies.
     */
    public CompletableFuture<Answer> post(OutboundUrl url, Map<String, String> headers, byte[] body, Duration timeout, String timeoutSetting) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url.toUri()).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return exchange("POST", url, request, timeout, timeoutSetting);
    }

    /**
     * The request in a client span, a child of the current context (the record the call acts on),
     * whose {@code traceparent} the request carries; the span ends with the answer or the failure.
     */
    private CompletableFuture<Answer> exchange(String method, OutboundUrl url, HttpRequest.Builder request, Duration timeout,
                                               String timeoutSetting) {
        Span span = tracer.spanBuilder(method).setSpanKind(SpanKind.CLIENT).startSpan();
        if (span.isRecording()) {
            span.setAttribute("http.request.method", method);
            span.setAttribute("server.address", url.toUri().getHost());
        }
        W3CTraceContextPropagator.getInstance().inject(Context.current().with(span), request, HttpRequest.Builder::setHeader);
        CompletableFuture<Answer> result = exchange(url, request, timeout, timeoutSetting);
        result.whenComplete((answer, failure) -> {
            if (failure != null) {
                span.setStatus(StatusCode.ERROR, reason(failure));
            } else {
                span.setAttribute("http.response.status_code", answer.status());
            }
            span.end();
        });
        return result;
    }

    private CompletableFuture<Answer> exchange(OutboundUrl url, HttpRequest.Builder request, Duration timeout, String timeoutSetting) {
        CompletableFuture<Answer> result = new CompletableFuture<>();
        request.timeout(timeout);
        AtomicReference<CompletableFuture<HttpResponse<byte[]>>> exchange = new AtomicReference<>();
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (result.completeExceptionally(new HttpTimeoutException("no whole answer within " + timeout + " (" + timeoutSetting + ")"))) {
                cancel(exchange.get());
            }
        });
        lookups.execute(() -> {
            try {
                checkAddresses(url);
            } catch (Refused e) {
                result.completeExceptionally(e);
                return;
            }
            if (result.isDone()) {
                return;
            }
            CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(request.build(), CappedBody.handler(config.maxResponseSize()));
            exchange.set(sent);
            if (result.isDone()) {
                cancel(sent);
            }
            sent.whenComplete((response, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(cause(failure));
                } else {
                    result.complete(new Answer(response.statusCode(), response.headers(), response.body()));
                }
            });
        });
        return result;
    }

    /** The same, waiting for the answer. */
    public Answer sendAndWait(String method, OutboundUrl url, UrlTemplate allowedBy, String authorization) throws InterruptedException {
        try {
            return send(method, url, allowedBy, authorization, Map.of()).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new CompletionException(e.getCause());
        }
    }

    /** What went wrong, for a log line or a recorded answer. */
    public static String reason(Throwable failure) {
        Throwable cause = cause(failure);
        return switch (cause) {
            case Refused refused -> "not sent: " + refused.getMessage();
            case AnswerTooLarge large -> large.getMessage();
            default -> cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        };
    }

    /** The failure under the wrappers that futures add. */
    public static Throwable cause(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException
                || (cause instanceof java.io.IOException && cause.getCause() instanceof AnswerTooLarge)) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static void cancel(CompletableFuture<?> exchange) {
        if (exchange != null) {
            exchange.cancel(true);
        }
    }

    @PreDestroy
    void close() {
        lookups.shutdownNow();
        http.shutdownNow();
    }
}
