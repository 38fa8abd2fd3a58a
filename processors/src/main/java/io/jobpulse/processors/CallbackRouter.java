package io.jobpulse.processors;

import com.fasterxml.jackson.core.type.TypeReference;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.StateStores;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Routes callbacks that name only their provider request to their job. Both of its inputs are
 * keyed by {@code <provider>:<requestId>} and co-partitioned: records of
 * {@code jobpulse.provider-requests} (value: the job id) fill the {@code provider-requests}
 * store; records of {@code jobpulse.provider-callbacks} (value: a {@code job.callback-received}
 * without a job, as bytes, so that a record that is not one is refused as {@code malformed} instead
 * of stopping the stream) are looked up there and written to {@code jobpulse.job-events} for their job.
 * A callback that arrives before its request is known (a provider can be faster than the
 * mapping) waits in {@code pending-callbacks} until the mapping comes, at most
 * {@link #MAX_WAIT} and {@link #MAX_PENDING} per request; after that it is refused as
 * {@code unknown-request}. The mapping survives restarts and moves with its partition (both
 * stores have changelogs).
 *
 * <p>Built without sinks (a rebuild) it only keeps the mapping.
 */
public final class CallbackRouter implements Processor<String, Object, String, Object> {

    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    static final int MAX_PENDING = 20;
    private static final Duration CHECK = Duration.ofSeconds(5);
    private static final TypeReference<List<JobEvent>> EVENTS = new TypeReference<>() {
    };

    private final String eventsSink;
    private final String rejectedSink;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, String> requests;
    private KeyValueStore<String, String> pending;

    /** @param eventsSink and {@code rejectedSink}: where routed and refused callbacks go, or both null (a rebuild) */
    public CallbackRouter(String eventsSink, String rejectedSink) {
        this.eventsSink = eventsSink;
        this.rejectedSink = rejectedSink;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.requests = context.getStateStore(StateStores.PROVIDER_REQUESTS);
        this.pending = context.getStateStore(StateStores.PENDING_CALLBACKS);
        if (eventsSink != null) {
            context.schedule(CHECK, PunctuationType.WALL_CLOCK_TIME, this::refuseExpired);
        }
    }

    @Override
    public void process(Record<String, Object> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        if (record.value() instanceof String jobId) {
            requests.put(record.key(), jobId);
            if (eventsSink != null) {
                for (JobEvent held : held(record.key())) {
                    route(held, jobId, record.timestamp());
                }
                pending.delete(record.key());
            }
            return;
        }
        if (eventsSink == null || !(record.value() instanceof byte[] bytes)) {
            return;
        }
        JobEvent.CallbackReceived callback;
        try {
            callback = (JobEvent.CallbackReceived) JobJson.read(bytes, JobEvent.class);
        } catch (SerializationException | ClassCastException e) {
            context.forward(new Record<>(record.key(), (Object) new RejectedEvent(record.key(), RejectionReason.MALFORMED.code(),
                    "not a job.callback-received: " + e.getMessage(), null, new String(bytes, StandardCharsets.UTF_8),
                    Instant.ofEpochMilli(record.timestamp())), record.timestamp(), new RecordHeaders()), rejectedSink);
            return;
        }
        String jobId = requests.get(record.key());
        if (jobId != null) {
            route(callback, jobId, record.timestamp());
            return;
        }
        List<JobEvent> waiting = held(record.key());
        if (waiting.size() >= MAX_PENDING) {
            refuse(record.key(), callback, "more than " + MAX_PENDING + " callbacks wait for request " + record.key(), record.timestamp());
            return;
        }
        waiting.add(callback);
        pending.put(record.key(), write(waiting));
    }

    private void route(JobEvent event, String jobId, long timestamp) {
        JobEvent routed = event instanceof JobEvent.CallbackReceived callback ? callback.forJob(jobId) : event;
        context.forward(new Record<>(jobId, (Object) routed, timestamp), eventsSink);
    }

    /** Refuses every held callback older than {@link #MAX_WAIT}. */
    private void refuseExpired(long timestamp) {
        Instant cutoff = Instant.ofEpochMilli(timestamp).minus(MAX_WAIT);
        List<KeyValue<String, String>> all = new ArrayList<>();
        try (KeyValueIterator<String, String> entries = pending.all()) {
            entries.forEachRemaining(all::add);
        }
        for (KeyValue<String, String> entry : all) {
            List<JobEvent> keep = new ArrayList<>();
            for (JobEvent held : read(entry.value)) {
                if (held.receivedAt().isBefore(cutoff)) {
                    refuse(entry.key, held, "no job claimed provider request " + entry.key + " within " + MAX_WAIT.toMinutes()
                            + " minutes", timestamp);
                } else {
                    keep.add(held);
                }
            }
            if (keep.isEmpty()) {
                pending.delete(entry.key);
            } else {
                pending.put(entry.key, write(keep));
            }
        }
    }

    private void refuse(String request, JobEvent callback, String detail, long timestamp) {
        context.forward(new Record<>(request, (Object) new RejectedEvent(request, RejectionReason.UNKNOWN_REQUEST.code(), detail,
                callback, null, Instant.ofEpochMilli(timestamp)), timestamp, new RecordHeaders()), rejectedSink);
    }

    private List<JobEvent> held(String request) {
        String value = pending.get(request);
        return value == null ? new ArrayList<>() : new ArrayList<>(read(value));
    }

    /** Written as a list of events, so that each keeps its wire name. */
    private static String write(List<JobEvent> events) {
        try {
            return JobJson.mapper().writerFor(EVENTS).writeValueAsString(events);
        } catch (IOException e) {
            throw new SerializationException("cannot hold the pending callbacks", e);
        }
    }

    private static List<JobEvent> read(String json) {
        try {
            return JobJson.mapper().readValue(json, EVENTS);
        } catch (IOException e) {
            throw new SerializationException("the pending callbacks are not readable", e);
        }
    }
}
