package io.jobpulse.app.server;

import io.jobpulse.app.tracing.RequestTracing;
import io.jobpulse.http.Caller;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.UriRouteMatch;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One line per request at info, on the logger {@code jobpulse.requests}: the method, the route's
 * path template (never the path itself, which may carry ids, nor the query, which may carry a
 * stream token), the status, the time until the response started (for a stream, until its first
 * bytes), and the kind of caller ({@code user}, {@code service}, {@code stream}, {@code system}, or
 * {@code anonymous}); never a credential. The request's trace and span ids ({@link RequestTracing})
 * are in the line's MDC as {@code trace_id} and {@code span_id}.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class RequestLog implements Ordered {

    static final String LOGGER = "jobpulse.requests";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final String STARTED = "jobpulse.request-started";

    @RequestFilter
    public void start(HttpRequest<?> request) {
        request.setAttribute(STARTED, System.nanoTime());
    }

    @ResponseFilter
    public void log(HttpRequest<?> request, MutableHttpResponse<?> response) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        long started = request.getAttribute(STARTED, Long.class).orElseGet(System::nanoTime);
        String template = RouteAttributes.getRouteMatch(request).filter(UriRouteMatch.class::isInstance)
                .map(match -> ((UriRouteMatch<?, ?>) match).getRouteInfo().getUriMatchTemplate().toString()).orElse("(no route)");
        String caller = request.getAttribute(Caller.ATTRIBUTE, Caller.class).map(found -> found.source().kind()).orElse("anonymous");
        SpanContext span = request.getAttribute(RequestTracing.SPAN, Span.class).map(Span::getSpanContext)
                .orElse(SpanContext.getInvalid());
        if (span.isValid()) {
            MDC.put(RequestTracing.TRACE_ID, span.getTraceId());
            MDC.put(RequestTracing.SPAN_ID, span.getSpanId());
        }
        try {
            LOG.info("{} {} {} {} ms {}", request.getMethodName(), template, response.code(),
                    String.format("%.1f", (System.nanoTime() - started) / 1e6), caller);
        } finally {
            MDC.remove(RequestTracing.TRACE_ID);
            MDC.remove(RequestTracing.SPAN_ID);
        }
    }

    @Override
    public int getOrder() {
        // First in, last out: the time covers every other filter.
        return ServerFilterPhase.FIRST.before();
    }
}
