package io.jobpulse.processors;

import io.jobpulse.events.CloudEventHeaders;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.StatusChange;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Folds each record of {@code jobpulse.job-events} into the {@code job-state} store with
 * {@link JobLifecycle}, and forwards either the applied {@link StatusChange} (to the child named
 * {@code statusSink}) or a {@link RejectedEvent} (to {@code rejectedSink}).
 *
 * <p>Values arrive as bytes and are decoded here, so a record that is not a valid event is
 * forwarded as {@code malformed} instead of stopping the stream thread.
 */
public final class JobLifecycleProcessor implements Processor<String, byte[], String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(JobLifecycleProcessor.class);

    private final String statusSink;
    private final String rejectedSink;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, JobState> states;

    public JobLifecycleProcessor(String statusSink, String rejectedSink) {
        this.statusSink = statusSink;
        this.rejectedSink = rejectedSink;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = context.getStateStore(StateStores.JOB_STATE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        JobEvent event;
        try {
            event = decode(record);
        } catch (SerializationException e) {
            reject(record, new RejectedEvent(record.key(), RejectionReason.MALFORMED.code(), e.getMessage(), null,
                    record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8), now(record)));
            return;
        }
        switch (JobLifecycle.evolve(states.get(event.jobId()), event)) {
            case Outcome.Applied applied -> {
                states.put(event.jobId(), applied.state());
                StatusChange change = applied.change();
                context.forward(record.withValue((Object) change).withHeaders(cloudEventHeaders(change)), statusSink);
            }
            case Outcome.Rejected rejected -> {
                LOG.debug("rejected {} for job {}: {}", event.wireName(), event.jobId(), rejected.detail());
                reject(record, new RejectedEvent(event.jobId(), rejected.reason().code(), rejected.detail(), event,
                        null, event.receivedAt()));
            }
        }
    }

    private static JobEvent decode(Record<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            throw new SerializationException("an event record needs a job id as key and an event as value");
        }
        JobEvent event = JobJson.read(record.value(), JobEvent.class);
        if (!record.key().equals(event.jobId())) {
            throw new SerializationException("record key " + record.key() + " is not the event's job id " + event.jobId());
        }
        return event;
    }

    private void reject(Record<String, byte[]> record, RejectedEvent rejected) {
        context.forward(record.withValue((Object) rejected).withHeaders(new RecordHeaders()), rejectedSink);
    }

    private static Instant now(Record<?, ?> record) {
        return Instant.ofEpochMilli(record.timestamp());
    }

    static RecordHeaders cloudEventHeaders(StatusChange change) {
        RecordHeaders headers = new RecordHeaders();
        header(headers, CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_VALUE);
        header(headers, CloudEventHeaders.ID, change.jobId() + "/" + change.version());
        header(headers, CloudEventHeaders.SOURCE, CloudEventHeaders.SOURCE_VALUE);
        header(headers, CloudEventHeaders.TYPE, CloudEventHeaders.STATUS_CHANGED_TYPE);
        header(headers, CloudEventHeaders.TIME, change.at().toString());
        header(headers, CloudEventHeaders.SUBJECT, change.jobId());
        header(headers, CloudEventHeaders.CONTENT_TYPE, "application/json");
        return headers;
    }

    private static void header(RecordHeaders headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
