package io.jobpulse.ingest;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobLimits;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.RawPayload;
import io.jobpulse.events.Roles;
import io.jobpulse.events.Topics;
import io.jobpulse.events.TraceHeaders;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes events to {@code jobpulse.job-events} and returns only once Kafka has durably
 * acknowledged them (acks=all, idempotent producer). Callers answer 202 only after that; when
 * Kafka does not acknowledge in time, the caller gets a 503 and nothing is reported accepted.
 * What a provider sent (a callback's or a poll answer's raw body) is kept up to
 * {@code jobpulse.job-limits.max-raw-payload-bytes}; a larger body is cut ({@link RawPayload#cappedTo}).
 *
 * <p>Every record carries a {@code traceparent} header ({@link TraceHeaders}): the span of its
 * write, a child of the current context (the HTTP request's, or the record a poll or cancel acts
 * on), so that the topology's fold of the event joins the caller's trace.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.INGEST)
public class JobEventPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(JobEventPublisher.class);

    private final Producer<String, JobEvent> producer;
    private final Duration ackTimeout;
    private final int maxRawPayloadBytes;
    private final Tracer tracer;

    public JobEventPublisher(IngestConfiguration config, JobLimits limits,
                             @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers, OpenTelemetry telemetry) {
        this.tracer = telemetry.getTracer(TraceHeaders.INSTRUMENTATION);
        this.ackTimeout = config.ackTimeout();
        this.maxRawPayloadBytes = limits.maxRawPayloadBytes();
        this.producer = new KafkaProducer<>(producerProperties(config, bootstrapServers),
                Topics.JOB_EVENTS.keySerde().serializer(), Topics.JOB_EVENTS.valueSerde().serializer());
    }

    static Map<String, Object> producerProperties(IngestConfiguration config, String bootstrapServers) {
        long timeout = config.ackTimeout().toMillis();
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "jobpulse-ingest");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // Bound every wait inside the producer by the acknowledgement timeout, so a dead broker
        // turns into a definite failure instead of a request that hangs.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout / 2);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) (timeout / 2));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout);
        props.putAll(config.producer());
        return props;
    }

    /** Writes the event, keyed by its job id, and waits for the acknowledgement. */
    public RecordMetadata publish(JobEvent event) {
        return send(Topics.JOB_EVENTS.name(), event.jobId(), event);
    }

    /**
     * Writes a callback that names only its provider request to {@code jobpulse.provider-callbacks},
     * keyed {@code <provider>:<requestId>}, for the topology to route to its job; waits for the acknowledgement.
     */
    public RecordMetadata route(String requestKey, JobEvent.CallbackReceived callback) {
        return send(Topics.PROVIDER_CALLBACKS.name(), requestKey, callback);
    }

    /** The event as it is kept: with what came from outside cut to its bound. */
    private JobEvent bounded(JobEvent event) {
        return switch (event) {
            case JobEvent.CallbackReceived callback when callback.raw() != null ->
                    callback.withRaw(callback.raw().cappedTo(maxRawPayloadBytes));
            case JobEvent.PollObserved poll when poll.raw() != null -> poll.withRaw(poll.raw().cappedTo(maxRawPayloadBytes));
            default -> event;
        };
    }

    private RecordMetadata send(String topic, String key, JobEvent original) {
        JobEvent event = bounded(original);
        Span span = tracer.spanBuilder("publish " + topic).setSpanKind(SpanKind.PRODUCER).startSpan();
        if (span.isRecording()) {
            span.setAttribute("messaging.system", "kafka");
            span.setAttribute("messaging.destination.name", topic);
            span.setAttribute("jobpulse.job.id", event.jobId());
            span.setAttribute("jobpulse.event.type", event.wireName());
        }
        try (Scope ignored = span.makeCurrent()) {
            RecordHeaders headers = new RecordHeaders();
            TraceHeaders.inject(Context.current(), headers);
            Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(topic, null, key, event, headers));
            return ack.get(ackTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            span.setStatus(StatusCode.ERROR, e.toString());
            LOG.warn("event {} for job {} was not acknowledged: {}", event.eventId(), event.jobId(), e.toString());
            throw new ProblemException(ProblemType.UNAVAILABLE,
                    "The event log did not acknowledge the " + event.wireName() + " event in time; it was not accepted. Retry later"
                            + " (with the same Idempotency-Key for submissions).");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(ProblemType.UNAVAILABLE, "Interrupted while writing the event; it was not accepted.");
        } finally {
            span.end();
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
