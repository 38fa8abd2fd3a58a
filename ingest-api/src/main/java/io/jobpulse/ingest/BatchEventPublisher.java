package io.jobpulse.ingest;

import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.KafkaSettings;
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
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes a batch's events and its jobs' events in one Kafka transaction: all of them become
 * visible to {@code read_committed} readers (the topology, the projections, push) at once, or none
 * does. {@link #publish} returns only once the transaction has committed, so a 202 is never
 * answered for events that may still be aborted; on any failure the transaction is aborted and the
 * caller gets a 503.
 *
 * <p>A transactional producer runs one transaction at a time, so there are
 * {@code jobpulse.batches.producers} of them, each with a transactional id of its own that lasts as
 * long as this instance ({@code jobpulse-batches-<instance>-<n>}). A producer whose transaction could
 * not even be aborted is replaced by a new one with the same id: initialising it makes the broker
 * abort what the old one left open, so readers are never held up for a transaction's timeout.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.INGEST)
public class BatchEventPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(BatchEventPublisher.class);

    private final Map<String, Object> properties;
    private final Duration ackTimeout;
    private final String instance = UUID.randomUUID().toString();
    private final BlockingQueue<Slot> idle;
    private final List<Slot> slots = new ArrayList<>();
    private final Tracer tracer;

    /** One transactional id, and the producer that writes with it now (null until first used, or after a failure). */
    private static final class Slot {
        final String transactionalId;
        Producer<String, byte[]> producer;

        Slot(String transactionalId) {
            this.transactionalId = transactionalId;
        }
    }

    public BatchEventPublisher(IngestConfiguration config, BatchesConfiguration batches,
                               @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers, OpenTelemetry telemetry) {
        this.tracer = telemetry.getTracer(TraceHeaders.INSTRUMENTATION);
        this.ackTimeout = config.ackTimeout();
        this.properties = JobEventPublisher.producerProperties(config, bootstrapServers);
        // A transaction left open by a crash holds up read_committed readers of its partitions until it times out.
        properties.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Math.max(10_000, ackTimeout.toMillis() * 3));
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "jobpulse-ingest-batches");
        this.idle = new ArrayBlockingQueue<>(batches.producers());
        for (int i = 0; i < batches.producers(); i++) {
            Slot slot = new Slot("jobpulse-batches-" + instance + "-" + i);
            slots.add(slot);
            idle.add(slot);
        }
    }

    /**
     * Writes the events in one transaction, batch events to {@code jobpulse.batch-events} and job
     * events to {@code jobpulse.job-events}, each keyed by its id, and waits for the commit.
     *
     * @throws ProblemException 503 when the transaction did not commit: nothing of it is visible
     */
    public void publish(String batchId, List<BatchEvent> batchEvents, List<JobEvent> jobEvents) {
        Span span = tracer.spanBuilder("publish batch").setSpanKind(SpanKind.PRODUCER).startSpan();
        if (span.isRecording()) {
            span.setAttribute("messaging.system", "kafka");
            span.setAttribute("jobpulse.batch.id", batchId);
            span.setAttribute("messaging.batch.message_count", batchEvents.size() + jobEvents.size());
        }
        Slot slot = take();
        try (Scope ignored = span.makeCurrent()) {
            Producer<String, byte[]> producer = producerOf(slot);
            RecordHeaders headers = new RecordHeaders();
            TraceHeaders.inject(Context.current(), headers);
            producer.beginTransaction();
            try {
                for (BatchEvent event : batchEvents) {
                    producer.send(new ProducerRecord<>(Topics.BATCH_EVENTS.name(), null, event.batchId(),
                            Topics.BATCH_EVENTS.valueSerde().serializer().serialize(Topics.BATCH_EVENTS.name(), event), headers));
                }
                for (JobEvent event : jobEvents) {
                    producer.send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), null, event.jobId(),
                            Topics.JOB_EVENTS.valueSerde().serializer().serialize(Topics.JOB_EVENTS.name(), event), headers));
                }
                // Flushes every record and fails if any of them failed: then nothing of it is committed.
                producer.commitTransaction();
            } catch (KafkaException e) {
                abort(slot, e);
                throw e;
            }
        } catch (KafkaException e) {
            span.setStatus(StatusCode.ERROR, e.toString());
            LOG.warn("the events of batch {} were not committed: {}", batchId, e.toString());
            throw new ProblemException(ProblemType.UNAVAILABLE, "The event log did not commit the batch's events in time;"
                    + " none of them was accepted. Retry later (with the same Idempotency-Key for a new batch).");
        } finally {
            idle.add(slot);
            span.end();
        }
    }

    private Slot take() {
        try {
            Slot slot = idle.poll(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (slot == null) {
                throw new ProblemException(ProblemType.UNAVAILABLE, "Every batch writer of this instance stayed busy for "
                        + ackTimeout.toSeconds() + " s; nothing was written. Retry shortly.");
            }
            return slot;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(ProblemType.UNAVAILABLE, "Interrupted while waiting to write the batch; nothing was written.");
        }
    }

    private static Producer<String, byte[]> producerOf(Slot slot, Map<String, Object> properties) {
        Map<String, Object> props = new HashMap<>(properties);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, slot.transactionalId);
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return producer;
    }

    private Producer<String, byte[]> producerOf(Slot slot) {
        if (slot.producer == null) {
            slot.producer = producerOf(slot, properties);
        }
        return slot.producer;
    }

    /**
     * Aborts the slot's transaction. A producer that cannot is closed and replaced at once by one with
     * the same id, whose initialisation aborts the transaction for it; if that fails too, the next
     * request tries again.
     */
    private void abort(Slot slot, KafkaException cause) {
        try {
            slot.producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.info("could not abort after {} ({}); replacing producer {}", cause.toString(), e.toString(), slot.transactionalId);
            slot.producer.close(Duration.ZERO);
            slot.producer = null;
            try {
                slot.producer = producerOf(slot, properties);
            } catch (KafkaException again) {
                LOG.warn("producer {} could not be replaced yet: {}", slot.transactionalId, again.toString());
            }
        }
    }

    @PreDestroy
    void close() {
        for (Slot slot : slots) {
            if (slot.producer != null) {
                slot.producer.close(Duration.ofSeconds(5));
            }
        }
    }
}
