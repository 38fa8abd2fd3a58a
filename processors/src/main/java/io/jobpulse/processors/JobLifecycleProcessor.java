package io.jobpulse.processors;

import io.jobpulse.events.CloudEventHeaders;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobLimits;
import io.jobpulse.events.JobPoll;
import io.jobpulse.events.PollSchedule;
import io.jobpulse.events.JobState;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.jobpulse.events.TraceHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Folds each record of {@code jobpulse.job-events} into the {@code job-state} store with
 * {@link JobLifecycle}, and forwards either the applied {@link StatusChange} (to the child named
 * {@code sinks.status}) or a {@link RejectedEvent} (to {@code sinks.rejected}).
 *
 * <p>Values arrive as bytes and are decoded here, so a record that is not a valid event is
 * forwarded as {@code malformed} instead of stopping the stream thread.
 *
 * <p>Deadlines: every unfinished job with a deadline has an entry in the {@code job-deadlines}
 * index. A wall-clock punctuation finds the overdue entries with one range scan and writes a
 * {@code job.deadline-passed} event for each to {@code sinks.events}, i.e. back into the log; the
 * expiry itself is applied when that event comes round, so a replay of the log expires the same
 * jobs at the same versions. Under exactly-once the event and the removal of the index entry
 * commit together. Each check writes at most {@link #MAX_EXPIRIES_PER_CHECK} events; a larger
 * backlog (after downtime) drains over the following checks.
 *
 * <p>Bounded records: no record this processor writes may stop its partition. Before anything is
 * written, the new state and its change are serialized and measured; a change whose state or
 * change record would be larger than {@link JobLimits#maxRecordBytes()} (less room for the key,
 * headers and batch framing) is refused as {@code record-too-large}, and one that cannot be
 * serialized as {@code unwritable}, so the store, its changelog and the outputs stay consistent
 * under exactly-once (a record Kafka refuses would abort the whole transaction, again at every
 * retry). A rejection too large to write whole is written without the event, naming where in the
 * log the event is. The fold itself refuses states past {@link JobLimits#maxStateBytes()}.
 *
 * <p>Trace context: each record is folded in a span of its own ({@code fold}), a child of the
 * {@code traceparent} the record carries ({@link TraceHeaders}), or the root of a new trace. The
 * records the fold writes do not inherit the input's headers (each is given its own); the status
 * change, the rejection and the poll change each carry the fold span's {@code traceparent}, so
 * the push of a change and the calls it leads to join the trace of the event that caused it.
 * Under exactly-once, a transaction that is aborted and redone folds its records again, in new
 * spans of the same trace. Passed deadlines, found by a punctuation rather than a record, carry none.
 *
 * <p>Built without sinks (null), it only folds into the stores: that is how a replay rebuilds the
 * state from the log without writing any record twice or checking deadlines.
 */
public final class JobLifecycleProcessor implements Processor<String, byte[], String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(JobLifecycleProcessor.class);

    /** The most deadline events one check writes. */
    static final int MAX_EXPIRIES_PER_CHECK = 1_000;

    private static final EventSource DEADLINE_CHECK = EventSource.system("deadlines");

    /** Room kept in every record for its key, headers (the CloudEvents ones) and Kafka's record and batch framing. */
    static final int RECORD_OVERHEAD = 1_024;
    /** How much of a rejection's detail, or of a malformed record's text, is kept when the rejection is too large. */
    private static final int KEPT_TEXT = 2_000;
    /** How many of the states a task last read or wrote it keeps decoded ({@link RecentStates}). */
    static final int RECENT_STATES = 2_048;

    /**
     * The children this processor writes to, by name.
     *
     * @param status   applied changes
     * @param rejected refused events
     * @param events   events written back into the log (passed deadlines)
     * @param polls    which jobs are polled (a job's poll, or a tombstone)
     * @param requests claims of provider requests (key {@code <provider>:<requestId>}, value the claiming job)
     */
    public record Sinks(String status, String rejected, String events, String polls, String requests) {
    }

    private final Sinks sinks;
    private final Duration deadlineCheckInterval;
    private final JobLimits limits;
    private final Set<String> refusedLive;
    private final Tracer tracer;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, JobState> states;
    private RecentStates recent;
    private DeadlineIndex deadlines;

    /**
     * @param sinks                 where to write, or null to write nothing (a rebuild)
     * @param deadlineCheckInterval how often, in wall-clock time, overdue jobs are looked for
     * @param limits                the maximum state and record sizes
     * @param refusedLive           for a rebuild: the log records ({@link #position}) that the live topology
     *                              refused for reasons that depended on limits, refused again as they were
     */
    public JobLifecycleProcessor(Sinks sinks, Duration deadlineCheckInterval, JobLimits limits, Set<String> refusedLive) {
        this(sinks, deadlineCheckInterval, limits, refusedLive, OpenTelemetry.noop().getTracer(TraceHeaders.INSTRUMENTATION));
    }

    /** The same, folding each record in a span of {@code tracer}'s. */
    public JobLifecycleProcessor(Sinks sinks, Duration deadlineCheckInterval, JobLimits limits, Set<String> refusedLive, Tracer tracer) {
        this.tracer = tracer;
        this.sinks = sinks;
        this.deadlineCheckInterval = deadlineCheckInterval;
        this.limits = limits;
        this.refusedLive = Set.copyOf(refusedLive);
    }

    /** How a record of {@code jobpulse.job-events} is named among refusals: {@code <partition>/<offset>}. */
    public static String position(int partition, long offset) {
        return partition + "/" + offset;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = context.getStateStore(StateStores.JOB_STATE);
        // Init runs again when a task is revived after an aborted transaction: what it kept may not be in the store.
        this.recent = new RecentStates(RECENT_STATES);
        this.deadlines = new DeadlineIndex(context.getStateStore(StateStores.JOB_DEADLINES));
        if (sinks != null) {
            context.schedule(deadlineCheckInterval, PunctuationType.WALL_CLOCK_TIME, this::expireOverdue);
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        Span span = tracer.spanBuilder("fold").setSpanKind(SpanKind.CONSUMER)
                .setParent(TraceHeaders.extract(record.headers())).startSpan();
        if (span.isRecording()) {
            span.setAttribute("messaging.system", "kafka");
            span.setAttribute("messaging.destination.name", Topics.JOB_EVENTS.name());
            span.setAttribute("jobpulse.job.id", String.valueOf(record.key()));
        }
        try (Scope ignored = span.makeCurrent()) {
            fold(record, span);
        } finally {
            span.end();
        }
    }

    /** The trace context of what the fold writes: the current span, the fold's. */
    private static Headers traced(Headers headers) {
        return TraceHeaders.inject(Context.current(), headers);
    }

    private void fold(Record<String, byte[]> record, Span span) {
        if (!refusedLive.isEmpty() && context.recordMetadata()
                .filter(source -> refusedLive.contains(position(source.partition(), source.offset()))).isPresent()) {
            return;
        }
        JobEvent event;
        try {
            event = decode(record);
        } catch (SerializationException e) {
            reject(record, new RejectedEvent(record.key(), RejectionReason.MALFORMED.code(), e.getMessage(), null,
                    record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8), now(record)));
            return;
        }
        if (span.isRecording()) {
            span.setAttribute("jobpulse.event.type", event.wireName());
        }
        JobState before = recent.get(event.jobId(), states::get);
        switch (writable(event, JobLifecycle.evolve(before, event, limits.maxStateBytes()))) {
            case Outcome.Applied applied -> {
                states.put(event.jobId(), applied.state());
                recent.put(event.jobId(), applied.state());
                deadlines.track(before, applied.state());
                StatusChange change = applied.change();
                if (sinks != null) {
                    context.forward(record.withValue((Object) change).withHeaders(traced(cloudEventHeaders(change))), sinks.status());
                    forwardPollChange(record, before, applied.state());
                    forwardClaim(record, event, applied.state());
                    nudgePoller(record, applied.state(), event);
                }
            }
            case Outcome.Rejected rejected -> {
                LOG.debug("rejected {} for job {}: {}", event.wireName(), event.jobId(), rejected.detail());
                if (sinks != null) {
                    nudgePoller(record, before, event);
                }
                reject(record, new RejectedEvent(event.jobId(), rejected.reason().code(), rejected.detail(), event,
                        null, event.receivedAt()));
            }
        }
    }

    /**
     * The fold's outcome, or a rejection if a record it leads to could not be written: its state (the
     * store's changelog record) or its change would be larger than Kafka takes, or cannot be
     * serialized. A rebuild decides alike, so that it rebuilds the same states.
     */
    private Outcome writable(JobEvent event, Outcome outcome) {
        if (!(outcome instanceof Outcome.Applied applied)) {
            return outcome;
        }
        int largest;
        try {
            // The change carries the whole new state, so its record is the larger of the two: measure it alone.
            largest = StateJson.changeSize(applied.change());
        } catch (RuntimeException e) {
            return new Outcome.Rejected(RejectionReason.UNWRITABLE, "job " + event.jobId() + "'s state after this "
                    + event.wireName() + " event cannot be serialized (" + e.getMessage() + "); the job keeps its previous state");
        }
        int room = limits.maxRecordBytes() - RECORD_OVERHEAD;
        if (largest > room) {
            return new Outcome.Rejected(RejectionReason.RECORD_TOO_LARGE, "job " + event.jobId() + "'s state after this "
                    + event.wireName() + " event would make a record of " + largest + " bytes, more than the " + room
                    + " bytes the topology may write; the job keeps its previous state. Send smaller results or metadata");
        }
        return outcome;
    }

    /**
     * Tells the pollers when a job starts or stops being polled (its poll, or a tombstone), and, for
     * a reconciling poll, every change, so that the poller knows when the job went quiet.
     */
    private void forwardPollChange(Record<String, byte[]> record, JobState before, JobState after) {
        JobPoll was = activePoll(before);
        JobPoll now = activePoll(after);
        if (!Objects.equals(was, now) || (now != null && now.quietFor() != null)) {
            Object value = now == null ? null : new PollSchedule(now, after.updatedAt(), null, after.owner());
            context.forward(record.withValue(value).withHeaders(traced(new RecordHeaders())), sinks.polls());
        }
    }

    /**
     * A callback with no status (a thin one, OpenAI's batch events) tells little by itself, whether
     * or not it changed anything; for a polled job, it asks the poller to fetch the status now.
     */
    private void nudgePoller(Record<String, byte[]> record, JobState state, JobEvent event) {
        JobPoll poll = activePoll(state);
        if (poll != null && event instanceof JobEvent.CallbackReceived callback && callback.observation() != null
                && callback.observation().status() == null) {
            context.forward(record.withValue((Object) new PollSchedule(poll, state.updatedAt(), callback.receivedAt(), state.owner()))
                    .withHeaders(traced(new RecordHeaders())), sinks.polls());
        }
    }

    /**
     * Claims, for the job, a provider request that an applied event names and the job does not hold:
     * the callback router grants it ({@code job.provider-request-claimed}) if no other job claimed
     * it first, and refuses it ({@code request-claimed}) otherwise.
     */
    private void forwardClaim(Record<String, byte[]> record, JobEvent event, JobState after) {
        String proposed = proposedRequestKey(event);
        if (proposed != null && !proposed.equals(requestKey(after))) {
            context.forward(new Record<>(proposed, (Object) after.id(), record.timestamp()), sinks.requests());
        }
    }

    /** {@code <provider>:<requestId>} of the provider request an event names for its job, or null. */
    static String proposedRequestKey(JobEvent event) {
        return switch (event) {
            case JobEvent.Submitted submitted -> submitted.provider() == null || submitted.provider().requestId() == null ? null
                    : Topics.providerRequestKey(submitted.provider().name(), submitted.provider().requestId());
            case JobEvent.CallbackReceived callback -> callback.observation() == null || callback.observation().requestId() == null
                    ? null : Topics.providerRequestKey(callback.provider(), callback.observation().requestId());
            case JobEvent.PollObserved poll -> poll.observation() == null || poll.observation().requestId() == null
                    ? null : Topics.providerRequestKey(poll.provider(), poll.observation().requestId());
            case JobEvent.ReportReceived ignored -> null;
            case JobEvent.CancelRequested ignored -> null;
            case JobEvent.RetryRequested ignored -> null;
            case JobEvent.DeadlinePassed ignored -> null;
            case JobEvent.PollRequested ignored -> null;
            case JobEvent.ProviderCancelRecorded ignored -> null;
            case JobEvent.ProviderRequestClaimed ignored -> null;
        };
    }

    /** {@code <provider>:<requestId>} of the job's provider request, or null while it has none. */
    public static String requestKey(JobState state) {
        return state == null || state.provider() == null || state.provider().requestId() == null ? null
                : Topics.providerRequestKey(state.provider().name(), state.provider().requestId());
    }

    private static JobPoll activePoll(JobState state) {
        return state == null || state.isTerminal() ? null : state.poll();
    }

    /** Writes a {@code job.deadline-passed} event for every job whose current deadline is overdue. */
    private void expireOverdue(long timestamp) {
        Instant now = Instant.ofEpochMilli(timestamp);
        for (DeadlineIndex.Entry entry : deadlines.due(now, MAX_EXPIRIES_PER_CHECK)) {
            deadlines.remove(entry);
            JobState state = states.get(entry.jobId());
            if (state == null || state.isTerminal() || !entry.isFor(state)) {
                continue;
            }
            String eventId = UUID.nameUUIDFromBytes((JobEvent.DeadlinePassed.WIRE_NAME + "/" + state.id() + "/"
                    + state.attempt() + "/" + state.deadline()).getBytes(StandardCharsets.UTF_8)).toString();
            JobEvent passed = new JobEvent.DeadlinePassed(eventId, state.id(), state.deadline(), now, DEADLINE_CHECK,
                    state.attempt(), state.deadline());
            context.forward(new Record<>(state.id(), (Object) passed, timestamp), sinks.events());
        }
    }

    private static JobEvent decode(Record<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            throw new SerializationException("an event record needs a job id as key and an event as value");
        }
        JobEvent event = Topics.JOB_EVENTS.decode(record.value());
        if (!record.key().equals(event.jobId())) {
            throw new SerializationException("record key " + record.key() + " is not the event's job id " + event.jobId());
        }
        return event;
    }

    private void reject(Record<String, byte[]> record, RejectedEvent rejected) {
        if (sinks == null) {
            return;
        }
        RecordHeaders headers = new RecordHeaders();
        context.recordMetadata().ifPresent(source -> {
            header(headers, RejectedEvent.EVENT_PARTITION_HEADER, Integer.toString(source.partition()));
            header(headers, RejectedEvent.EVENT_OFFSET_HEADER, Long.toString(source.offset()));
        });
        context.forward(record.withValue((Object) bounded(rejected)).withHeaders(traced(headers)), sinks.rejected());
    }

    /**
     * The rejection, or, if it is too large to write, the same rejection without the event (it stays
     * in the log, at the offset named in the detail) and with its texts cut.
     */
    private RejectedEvent bounded(RejectedEvent rejected) {
        int size = JobJson.write(rejected).length;
        if (size <= limits.maxRecordBytes() - RECORD_OVERHEAD) {
            return rejected;
        }
        String where = context.recordMetadata()
                .map(m -> m.topic() + " partition " + m.partition() + " offset " + m.offset()).orElse("the log");
        return new RejectedEvent(cut(rejected.jobId()), rejected.reason(), cut(rejected.detail()) + " (this rejection was "
                + size + " bytes, too large to write whole; the event is at " + where + ")", null, cut(rejected.raw()), rejected.at());
    }

    private static String cut(String text) {
        return text == null || text.length() <= KEPT_TEXT ? text : text.substring(0, KEPT_TEXT);
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
