package io.jobpulse.app.tracing;

import io.jobpulse.events.TraceHeaders;
import io.micronaut.core.order.Ordered;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.UriRouteMatch;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * A server span for every request: a child of the request's {@code traceparent} header when it
 * has a valid one, else the root of a new trace. The span is current wherever the request is
 * handled ({@link TracedThread}, carried by Micronaut's propagated context onto the thread the
 * controller runs on), so the events it writes carry it, and its ids are in the MDC of every log
 * line written meanwhile. It ends with the response (for a stream, when the stream's response
 * starts); {@link io.jobpulse.app.server.RequestLog} reads it from the request to log its ids.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class RequestTracing implements Ordered {

    /** The request attribute holding the request's {@link Span}. */
    public static final String SPAN = "jobpulse.span";
    /** The MDC keys of the current trace and span ids. */
    public static final String TRACE_ID = "trace_id";
    public static final String SPAN_ID = "span_id";

    private static final TextMapGetter<HttpRequest<?>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpRequest<?> request) {
            return request.getHeaders().names();
        }

        @Override
        public String get(HttpRequest<?> request, String key) {
            return request == null ? null : request.getHeaders().get(key);
        }
    };

    private final OpenTelemetry telemetry;
    private final Tracer tracer;

    public RequestTracing(OpenTelemetry telemetry) {
        this.telemetry = telemetry;
        this.tracer = telemetry.getTracer(TraceHeaders.INSTRUMENTATION);
    }

    @RequestFilter
    public void start(HttpRequest<?> request, MutablePropagatedContext propagated) {
        Context parent = telemetry.getPropagators().getTextMapPropagator().extract(Context.root(), request, HEADERS);
        Span span = tracer.spanBuilder(request.getMethodName()).setSpanKind(SpanKind.SERVER).setParent(parent).startSpan();
        if (span.isRecording()) {
            span.setAttribute("http.request.method", request.getMethodName());
        }
        request.setAttribute(SPAN, span);
        propagated.add(new TracedThread(parent.with(span)));
    }

    @ResponseFilter
    public void end(HttpRequest<?> request, MutableHttpResponse<?> response) {
        request.getAttribute(SPAN, Span.class).ifPresent(span -> {
            if (span.isRecording()) {
                // The route's template, never the path: a span name must not hold ids.
                RouteAttributes.getRouteMatch(request).filter(UriRouteMatch.class::isInstance)
                        .map(match -> ((UriRouteMatch<?, ?>) match).getRouteInfo().getUriMatchTemplate().toString())
                        .ifPresent(template -> {
                            span.updateName(request.getMethodName() + " " + template);
                            span.setAttribute("http.route", template);
                        });
                span.setAttribute("http.response.status_code", response.code());
                if (response.code() >= 500) {
                    span.setStatus(StatusCode.ERROR);
                }
            }
            span.end();
        });
    }

    @Override
    public int getOrder() {
        // Right after the request log, which logs the span's ids; before every other filter.
        return ServerFilterPhase.FIRST.order();
    }
}
