package io.jobpulse.app.tracing;

import io.micronaut.core.propagation.ThreadPropagatedContextElement;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.slf4j.MDC;

/**
 * A request's trace context on whichever thread handles it: current for OpenTelemetry (what a
 * controller writes to Kafka is a child of it) and in the MDC as {@code trace_id} and
 * {@code span_id} (the log lines written meanwhile name it), both put back as they were after.
 */
record TracedThread(Context context) implements ThreadPropagatedContextElement<TracedThread.Restore> {

    private static final String TRACE_ID = RequestTracing.TRACE_ID;
    private static final String SPAN_ID = RequestTracing.SPAN_ID;

    /** What the thread had before. */
    record Restore(Scope scope, String traceId, String spanId) {
    }

    @Override
    public Restore updateThreadContext() {
        Restore before = new Restore(context.makeCurrent(), MDC.get(TRACE_ID), MDC.get(SPAN_ID));
        put(Span.fromContext(context).getSpanContext());
        return before;
    }

    @Override
    public void restoreThreadContext(Restore before) {
        restore(TRACE_ID, before.traceId());
        restore(SPAN_ID, before.spanId());
        before.scope().close();
    }

    /** The span's ids in the MDC; an invalid span's are left out. */
    static void put(SpanContext span) {
        if (span.isValid()) {
            MDC.put(TRACE_ID, span.getTraceId());
            MDC.put(SPAN_ID, span.getSpanId());
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
