package io.jobpulse.topology;

import io.jobpulse.events.BatchMember;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.JobState;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.Topics;
import io.jobpulse.http.BatchJobs;
import io.jobpulse.http.Routes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One thing that {@link InteractiveQueries} and {@link PeerReads} read by id from the topology's
 * stores: which store says where the id is held, which store it is read from and how, and the
 * path at which another instance serves it. Jobs and batches are read the same way (routing to
 * the holder, read-your-writes for a new id, standbys), so that logic is written once.
 *
 * @param placedBy the store whose partition holds the id (Streams' metadata is asked for it)
 * @param source   the topic whose events make an id exist in the store (its partition is the id's)
 * @param readFrom the store the value is read from, in the same task
 * @param type     the value's class, as another instance answers it in JSON
 * @param path     the id's path at another instance, e.g. {@code /v1/jobs/<id>}
 * @param lookup   the value of the id in {@code readFrom}, or null when there is none
 * @param noun     what the value is called in messages ("job", "batch")
 */
public record StoreView<V>(String placedBy, String source, String readFrom, Class<V> type, Function<String, String> path,
                           BiFunction<ReadOnlyKeyValueStore<String, Object>, String, V> lookup, String noun) {

    /** A job's current state ({@code job-state}). */
    public static final StoreView<JobState> JOBS = new StoreView<>(StateStores.JOB_STATE, Topics.JOB_EVENTS_NAME, StateStores.JOB_STATE, JobState.class,
            id -> Routes.JOBS + "/" + encode(id), (store, id) -> (JobState) store.get(id), "job");

    /** A batch's aggregate ({@code batch-state}); version 0 (opened not yet folded) counts as none. */
    public static final StoreView<BatchState> BATCHES = new StoreView<>(StateStores.BATCH_STATE, Topics.BATCH_EVENTS_NAME, StateStores.BATCH_STATE, BatchState.class,
            id -> Routes.BATCHES + "/" + encode(id), StoreView::openedBatch, "batch");

    /** The member jobs of a batch, as the batch last saw each ({@code batch-members}, keys {@code <batchId>/<jobId>}). */
    public static final StoreView<BatchJobs> BATCH_JOBS = new StoreView<>(StateStores.BATCH_STATE, Topics.BATCH_EVENTS_NAME, StateStores.BATCH_MEMBERS, BatchJobs.class,
            id -> Routes.BATCHES + "/" + encode(id) + "/jobs", StoreView::members, "batch");

    private static BatchState openedBatch(ReadOnlyKeyValueStore<String, Object> store, String id) {
        BatchState batch = (BatchState) store.get(id);
        return batch == null || batch.version() == 0 ? null : batch;
    }

    private static BatchJobs members(ReadOnlyKeyValueStore<String, Object> store, String batchId) {
        List<BatchJobs.Job> jobs = new ArrayList<>();
        String prefix = batchId + "/";
        try (KeyValueIterator<String, Object> members = store.prefixScan(prefix, new StringSerializer())) {
            while (members.hasNext()) {
                KeyValue<String, Object> entry = members.next();
                BatchMember member = (BatchMember) entry.value;
                jobs.add(new BatchJobs.Job(entry.key.substring(prefix.length()), member.version(), member.status(), member.progress()));
            }
        }
        return new BatchJobs(batchId, jobs);
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
