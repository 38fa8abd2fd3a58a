package io.jobpulse.app.tracing;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's one {@link io.opentelemetry.api.OpenTelemetry}, injected wherever a span is
 * made; never the global one, so that several applications in one JVM (the tests, {@code dev}'s
 * instances) each keep their own.
 *
 * <p>Export off (the default): the tracer samples nothing. Every span is a non-recording one that
 * only holds ids (a new span id, the caller's trace id or a new one), so trace context still flows
 * through Kafka, the updates and the outbound calls, and logs still carry trace ids; there are no
 * attributes, no timing and no queue. Such spans pass on the {@code 00} (not sampled) flag.
 *
 * <p>Export on: spans are sampled as their parent was (a caller's {@code traceparent} with the
 * {@code 00} flag is not recorded), and a root span always is; they are batched and POSTed as
 * OTLP/HTTP protobuf. Closing the application flushes what is waiting.
 */
@Factory
public class TelemetryFactory {

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryFactory.class);

    @Singleton
    @Bean(preDestroy = "close")
    OpenTelemetrySdk openTelemetry(TracingConfiguration config) {
        SdkTracerProvider tracers;
        if (config.exports()) {
            OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(config.tracesUrl()).build();
            tracers = SdkTracerProvider.builder()
                    .setResource(Resource.getDefault().merge(Resource.create(Attributes.builder()
                            .put("service.name", config.serviceName()).build())))
                    .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
                    .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(config.exportInterval()).build())
                    .build();
            LOG.info("exporting spans to {}", config.tracesUrl());
        } else {
            tracers = SdkTracerProvider.builder().setSampler(Sampler.alwaysOff()).build();
        }
        return OpenTelemetrySdk.builder()
                .setTracerProvider(tracers)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
    }
}
