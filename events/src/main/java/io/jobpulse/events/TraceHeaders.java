package io.jobpulse.events;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * W3C Trace Context on Kafka records: the {@code traceparent} header (and {@code tracestate}
 * when there is one), written by ingest's producer on every event, by the topology on the status
 * change an event caused, and read by whatever acts on a record. A record without the header,
 * or with one that is not a valid {@code traceparent}, gives {@link Context#root()}: whoever
 * reads it starts a new trace. This is the one place the header names and their encoding live.
 */
public final class TraceHeaders {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    /** The instrumentation scope every Jobpulse span is created under. */
    public static final String INSTRUMENTATION = "io.jobpulse";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            headers.forEach(header -> keys.add(header.key()));
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    private TraceHeaders() {
    }

    /** The trace context a record carries, as the parent of what is done with it. */
    public static Context extract(Headers headers) {
        return W3C.extract(Context.root(), headers, GETTER);
    }

    /** Writes the context's span (if it has a valid one) as the record's {@code traceparent}. */
    public static Headers inject(Context context, Headers headers) {
        W3C.inject(context, headers, SETTER);
        return headers;
    }

    /** The valid {@code traceparent} a record carries, or null, for whoever passes it on. */
    public static String traceparent(Headers headers) {
        return traceparent(Span.fromContext(extract(headers)));
    }

    /** The span's {@code traceparent} value ({@code 00-<trace id>-<span id>-<flags>}), or null for an invalid span. */
    public static String traceparent(Span span) {
        SpanContext context = span.getSpanContext();
        return context.isValid()
                ? "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex()
                : null;
    }
}
