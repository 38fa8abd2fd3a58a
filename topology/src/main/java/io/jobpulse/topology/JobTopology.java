package io.jobpulse.topology;

import io.jobpulse.events.JobLimits;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.Topic;
import io.jobpulse.events.Topics;
import io.jobpulse.processors.CallbackRouter;
import io.jobpulse.processors.JobLifecycleProcessor;
import io.jobpulse.processors.StateJson;
import io.jobpulse.events.TraceHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.Set;

/**
 * The Jobpulse topology: {@code jobpulse.job-events} folded into the {@code job-state} store,
 * each applied change to {@code jobpulse.job-status}, each refused event to
 * {@code jobpulse.job-events-rejected}, and each passed deadline back to
 * {@code jobpulse.job-events} as an event of its own. Every node and store is named by a
 * constant: the names fix the changelog topics ({@code <application.id>-job-state-changelog},
 * {@code <application.id>-job-deadlines-changelog}) and must not drift. A live topology also
 * folds batches ({@link BatchTopology}); a rebuild leaves the batches' stores as they are.
 */
public final class JobTopology {

    public static final String EVENTS_SOURCE = "job-events-source";
    public static final String LIFECYCLE = "job-lifecycle";
    public static final String STATUS_SINK = "job-status-sink";
    public static final String REJECTED_SINK = "job-events-rejected-sink";
    public static final String EVENTS_SINK = "job-events-sink";
    public static final String POLLS_SINK = "job-polls-sink";
    public static final String REQUESTS_SINK = "provider-requests-sink";
    public static final String REQUESTS_SOURCE = "provider-requests-source";
    public static final String CALLBACKS_SOURCE = "provider-callbacks-source";
    public static final String CALLBACK_ROUTER = "callback-router";
    public static final String ROUTED_SINK = "routed-callbacks-sink";
    public static final String UNROUTED_SINK = "unrouted-callbacks-sink";
    public static final String CLAIMS_SINK = "provider-request-owners-sink";

    private JobTopology() {
    }

    /** What the topology is run for. */
    public enum Mode {
        /** The service: fold, write changes, refusals and passed deadlines. */
        LIVE,
        /** A replay: fold the log into the stores only; write nothing else and check no deadline. */
        REBUILD
    }

    /**
     * @param deadlineCheckInterval how often, in wall-clock time, the topology looks for jobs past their deadline
     */
    public static Topology build(Duration deadlineCheckInterval) {
        return build(deadlineCheckInterval, Mode.LIVE, JobLimits.DEFAULTS, Set.of());
    }

    /**
     * @param limits      the maximum size of a job's state and of any record the topology writes
     * @param refusedLive for a rebuild, the log records the live topology refused for reasons that
     *                    depended on limits ({@link JobLifecycleProcessor#position}): refused again as they were
     */
    public static Topology build(Duration deadlineCheckInterval, Mode mode, JobLimits limits, Set<String> refusedLive) {
        return build(deadlineCheckInterval, mode, limits, refusedLive, OpenTelemetry.noop().getTracer(TraceHeaders.INSTRUMENTATION));
    }

    /**
     * @param tracer the tracer of the fold's spans; a noop one (as in a replay) still passes each
     *               event's trace context on to the records it leads to
     */
    public static Topology build(Duration deadlineCheckInterval, Mode mode, JobLimits limits, Set<String> refusedLive, Tracer tracer) {
        boolean live = mode == Mode.LIVE;
        // The batches' part is written in the DSL (its repartition topic), and added after the jobs' nodes: Streams
        // numbers sub-topologies in the order their nodes were added, and names tasks and their state directories by
        // those numbers, so the jobs' keep 0 and 1 in every mode (a rebuild has no batches) and in every version.
        StreamsBuilder builder = new StreamsBuilder();
        Topology topology = builder.build();
        // Values stay bytes until the processor decodes them, so a poison record is rejected, not fatal.
        topology.addSource(EVENTS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                Topics.JOB_EVENTS.name());
        topology.addProcessor(LIFECYCLE,
                () -> new JobLifecycleProcessor(live ? new JobLifecycleProcessor.Sinks(STATUS_SINK, REJECTED_SINK, EVENTS_SINK,
                        POLLS_SINK, REQUESTS_SINK) : null, deadlineCheckInterval, limits, refusedLive, tracer),
                EVENTS_SOURCE);
        // The current state of every job; its changelog makes it durable and lets it move between instances.
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StateStores.JOB_STATE),
                Serdes.String(), StateJson.serde()), LIFECYCLE);
        // Unfinished jobs by deadline, so the deadline check scans only what is overdue.
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StateStores.JOB_DEADLINES),
                Serdes.String(), Serdes.String()), LIFECYCLE);
        addCallbackRouting(topology, live);
        if (!live) {
            return topology;
        }
        BatchTopology.addTo(builder);
        // A second build writes to the same topology only what was added to the builder since the first.
        builder.build();
        addSink(topology, STATUS_SINK, Topics.JOB_STATUS, LIFECYCLE);
        addSink(topology, REJECTED_SINK, Topics.JOB_EVENTS_REJECTED, LIFECYCLE);
        // Which jobs are polled, for the pollers of the ingest role (compacted: the latest per job).
        addSink(topology, POLLS_SINK, Topics.JOB_POLLS, LIFECYCLE);
        // A passed deadline is written to the log like any other event; the source reads it back and folds it.
        addSink(topology, EVENTS_SINK, Topics.JOB_EVENTS, LIFECYCLE);
        // Claims of provider requests, for the callback router to grant or refuse (compacted; keyed by the request).
        addSink(topology, REQUESTS_SINK, Topics.PROVIDER_REQUESTS, LIFECYCLE);
        return topology;
    }

    /**
     * The second sub-topology: callbacks that name only their provider request, matched to their
     * job through the requests the jobs claimed (both topics keyed by the request, co-partitioned).
     */
    private static void addCallbackRouting(Topology topology, boolean live) {
        topology.addSource(REQUESTS_SOURCE, Serdes.String().deserializer(), Serdes.String().deserializer(),
                Topics.PROVIDER_REQUESTS.name());
        topology.addSource(CALLBACKS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                Topics.PROVIDER_CALLBACKS.name());
        topology.addProcessor(CALLBACK_ROUTER, () -> live ? new CallbackRouter(ROUTED_SINK, UNROUTED_SINK, CLAIMS_SINK)
                        : new CallbackRouter(null, null, null),
                REQUESTS_SOURCE, CALLBACKS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StateStores.PROVIDER_REQUESTS),
                Serdes.String(), Serdes.String()), CALLBACK_ROUTER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StateStores.PENDING_CALLBACKS),
                Serdes.String(), Serdes.String()), CALLBACK_ROUTER);
        if (live) {
            addSink(topology, ROUTED_SINK, Topics.JOB_EVENTS, CALLBACK_ROUTER);
            addSink(topology, UNROUTED_SINK, Topics.JOB_EVENTS_REJECTED, CALLBACK_ROUTER);
            // A refused claim overwrote the owner's in the compacted topic; the owner's is written back after it.
            addSink(topology, CLAIMS_SINK, Topics.PROVIDER_REQUESTS, CALLBACK_ROUTER);
        }
    }

    /** A sink to a catalogued topic, written with the topic's own serdes. */
    private static void addSink(Topology topology, String name, Topic<String, ?> topic, String parent) {
        topology.addSink(name, topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer(), parent);
    }
}
