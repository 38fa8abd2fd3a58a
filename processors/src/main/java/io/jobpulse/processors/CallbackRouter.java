package io.jobpulse.processors;

import com.fasterxml.jackson.core.type.TypeReference;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.Topics;
import io.jobpulse.events.TraceHeaders;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
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
import java.util.UUID;

/**
 * Grants provider requests to jobs, and routes callbacks that name only their provider request to
 * their job. Both of its inputs are keyed by {@code <provider>:<requestId>} and co-partitioned.
 *
 * <p>Records of {@code jobpulse.provider-requests} are claims (value: the claiming job's id). The
 * first claim of a request wins and is kept in the {@code provider-requests} store; the job is
 * told with a {@code job.provider-request-claimed} event, the only way a job comes to hold a
 * request id. A later claim by another job is refused as {@code request-claimed} to
 * {@code jobpulse.job-events-rejected} (keyed by the refused job, not naming the owner), and the
 * owner's claim is written back to the topic, so that compaction keeps the owner and not the last
 * claimant. A repeated claim by the owner changes nothing.
 *
 * <p>Records of {@code jobpulse.provider-callbacks} (value: a {@code job.callback-received}
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

    private static final EventSource ROUTER = EventSource.system("callback-router");

    private final String eventsSink;
    private final String rejectedSink;
    private final String claimsSink;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, String> requests;
    private KeyValueStore<String, String> pending;

    /**
     * @param eventsSink   where granted claims and routed callbacks go ({@code jobpulse.job-events}),
     * @param rejectedSink where refused claims and callbacks go, and
     * @param claimsSink   where an owner's claim is written back ({@code jobpulse.provider-requests});
     *                     all three null for a rebuild, which only keeps the claims
     */
    public CallbackRouter(String eventsSink, String rejectedSink, String claimsSink) {
        this.eventsSink = eventsSink;
        this.rejectedSink = rejectedSink;
        this.claimsSink = claimsSink;
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
        // Two inputs, told apart by the topic each record came from: claims of requests, and callbacks to route.
        boolean claim = context.recordMetadata().map(source -> source.topic().equals(Topics.PROVIDER_REQUESTS.name())).orElse(false);
        if (claim) {
            claim(record.key(), (String) record.value(), record.timestamp());
            return;
        }
        if (eventsSink == null) {
            return;
        }
        byte[] bytes = (byte[]) record.value();
        JobEvent.CallbackReceived callback;
        try {
            callback = (JobEvent.CallbackReceived) Topics.PROVIDER_CALLBACKS.decode(bytes);
        } catch (SerializationException | ClassCastException e) {
            context.forward(new Record<>(record.key(), (Object) new RejectedEvent(record.key(), RejectionReason.MALFORMED.code(),
                    "not a job.callback-received: " + e.getMessage(), null, new String(bytes, StandardCharsets.UTF_8),
                    Instant.ofEpochMilli(record.timestamp())), record.timestamp(), new RecordHeaders()), rejectedSink);
            return;
        }
        String jobId = requests.get(record.key());
        if (jobId != null) {
            // Routed at once: the callback keeps the trace context it came with (one that waits for its claim does not).
            route(callback, jobId, record.timestamp(), TraceHeaders.inject(TraceHeaders.extract(record.headers()), new RecordHeaders()));
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

    /** The first claim of a request wins; see the class comment. */
    private void claim(String request, String jobId, long timestamp) {
        String owner = requests.get(request);
        if (jobId.equals(owner)) {
            return;
        }
        if (owner != null) {
            if (eventsSink != null) {
                context.forward(new Record<>(jobId, (Object) new RejectedEvent(jobId, RejectionReason.REQUEST_CLAIMED.code(),
                        "provider request " + request + " is already claimed by another job; job " + jobId + " does not get it",
                        null, null, Instant.ofEpochMilli(timestamp)), timestamp, new RecordHeaders()), rejectedSink);
                context.forward(new Record<>(request, (Object) owner, timestamp), claimsSink);
            }
            return;
        }
        requests.put(request, jobId);
        if (eventsSink == null) {
            return;
        }
        int colon = request.indexOf(':');
        String eventId = UUID.nameUUIDFromBytes((JobEvent.ProviderRequestClaimed.WIRE_NAME + "/" + jobId + "/" + request)
                .getBytes(StandardCharsets.UTF_8)).toString();
        Instant at = Instant.ofEpochMilli(timestamp);
        // The grant goes before the held callbacks, so that they find the request already the job's.
        context.forward(new Record<>(jobId, (Object) new JobEvent.ProviderRequestClaimed(eventId, jobId, at, at, ROUTER,
                request.substring(0, colon), request.substring(colon + 1)), timestamp), eventsSink);
        for (JobEvent held : held(request)) {
            route(held, jobId, timestamp);
        }
        pending.delete(request);
    }

    private void route(JobEvent event, String jobId, long timestamp) {
        route(event, jobId, timestamp, new RecordHeaders());
    }

    private void route(JobEvent event, String jobId, long timestamp, Headers headers) {
        JobEvent routed = event instanceof JobEvent.CallbackReceived callback ? callback.forJob(jobId) : event;
        context.forward(new Record<>(jobId, (Object) routed, timestamp, headers), eventsSink);
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
