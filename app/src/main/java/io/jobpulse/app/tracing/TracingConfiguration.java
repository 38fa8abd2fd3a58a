package io.jobpulse.app.tracing;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * Whether and where spans are exported ({@code jobpulse.tracing.*}). Trace context is always
 * taken from requests and passed on (Kafka headers, updates, outbound calls); spans are recorded
 * and sent only when an endpoint is set.
 *
 * @param otlpEndpoint   the OTLP/HTTP receiver (a collector), such as {@code http://collector:4318}; spans are
 *                       POSTed as protobuf to {@code <endpoint>/v1/traces} (a URL already ending so is taken
 *                       as it is); empty: nothing is recorded or exported
 * @param serviceName    the {@code service.name} of the exported spans
 * @param exportInterval how long spans wait, batched, before they are sent
 */
@ConfigurationProperties("jobpulse.tracing")
public record TracingConfiguration(@Bindable(defaultValue = "") String otlpEndpoint,
                                   @Bindable(defaultValue = "jobpulse") String serviceName,
                                   @Bindable(defaultValue = "5s") Duration exportInterval) {

    static final String TRACES_PATH = "/v1/traces";

    /** Whether spans are recorded and exported. */
    public boolean exports() {
        return otlpEndpoint != null && !otlpEndpoint.isBlank();
    }

    /** The URL spans are POSTed to. */
    String tracesUrl() {
        String base = otlpEndpoint.strip();
        if (base.endsWith(TRACES_PATH)) {
            return base;
        }
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + TRACES_PATH;
    }
}
