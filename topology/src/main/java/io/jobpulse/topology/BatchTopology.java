package io.jobpulse.topology;

import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.BatchMember;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.jobpulse.processors.BatchFoldProcessor;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The batches' part of the topology: the changes on {@code jobpulse.job-status} of jobs that belong
 * to a batch, digested ({@link BatchEvent.JobChanged}) and re-keyed by batch id through the repartition
 * topic {@code <application.id>-batch-job-changes-repartition}, merged with
 * {@code jobpulse.batch-events}, folded into the {@code batch-state} and {@code batch-members} stores,
 * and each visible change written to {@code jobpulse.batch-status}. Every node, store and the
 * repartition topic are named by constants, like the rest of the topology.
 *
 * <p>A batch's events and its jobs' changes meet in one task only if {@code jobpulse.batch-events}
 * has as many partitions as {@code jobpulse.job-status} (the repartition topic takes that count):
 * Jobpulse creates both with {@code jobpulse.topics.partitions}.
 */
final class BatchTopology {

    public static final String JOB_STATUS_SOURCE = "batch-job-status-source";
    public static final String JOB_CHANGES = "batch-job-changes-digest";
    public static final String BATCH_EVENTS_SOURCE = "batch-events-source";
    public static final String BATCH_EVENTS_DECODE = "batch-events-decode";
    public static final String MERGE = "batch-inputs-merge";
    public static final String FOLD = "batch-fold";
    public static final String STATUS_SINK = "batch-status-sink";

    /** What the digest looks for before decoding a change: changes of jobs in no batch (most) are passed over unread. */
    private static final byte[] BATCH_ID_FIELD = "\"batchId\"".getBytes(StandardCharsets.UTF_8);

    private BatchTopology() {
    }

    static void addTo(StreamsBuilder builder) {
        Serde<BatchEvent> events = JobJson.serde(BatchEvent.class);
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StateStores.BATCH_STATE),
                Serdes.String(), JobJson.serde(BatchState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StateStores.BATCH_MEMBERS),
                Serdes.String(), JobJson.serde(BatchMember.class)));
        // Job changes are keyed by job, so a batch's are on many partitions: re-keyed by batch to meet in one task.
        KStream<String, BatchEvent> jobChanges = builder
                .stream(Topics.JOB_STATUS_NAME, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(JOB_STATUS_SOURCE))
                .flatMap((jobId, value) -> digest(value), Named.as(JOB_CHANGES))
                .repartition(Repartitioned.<String, BatchEvent>as(Topics.BATCH_JOB_CHANGES_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(events));
        // A record that does not decode throws: the topology's handler skips it and writes it to the rejects.
        KStream<String, BatchEvent> batchEvents = builder
                .stream(Topics.BATCH_EVENTS_NAME, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(BATCH_EVENTS_SOURCE))
                .mapValues(BatchTopology::decode, Named.as(BATCH_EVENTS_DECODE));
        batchEvents.merge(jobChanges, Named.as(MERGE))
                .process(BatchFoldProcessor::new, Named.as(FOLD), StateStores.BATCH_STATE, StateStores.BATCH_MEMBERS)
                .to(Topics.BATCH_STATUS_NAME, Produced.with(Serdes.String(), Topics.BATCH_STATUS.valueSerde()).withName(STATUS_SINK));
    }

    /** The batch's digest of a job's change, keyed by its batch; nothing for a job in no batch. */
    static List<KeyValue<String, BatchEvent>> digest(byte[] value) {
        if (value == null || !contains(value, BATCH_ID_FIELD)) {
            return List.of();
        }
        BatchEvent.JobChanged changed = BatchEvent.JobChanged.of(Topics.JOB_STATUS.decode(value));
        return changed == null ? List.of() : List.of(KeyValue.pair(changed.batchId(), changed));
    }

    private static BatchEvent decode(String key, byte[] value) {
        if (key == null || value == null) {
            throw new SerializationException("a batch event record needs a batch id as key and an event as value");
        }
        BatchEvent event = Topics.BATCH_EVENTS.decode(value);
        if (!key.equals(event.batchId())) {
            throw new SerializationException("record key " + key + " is not the event's batch id " + event.batchId());
        }
        return event;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
